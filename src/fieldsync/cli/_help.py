"""What `fieldsync --help` and `fieldsync COMMAND --help` say: each command's description
and examples, and the formatter that lays them out within the terminal (80 columns at most)
without breaking a word or an example line."""

from __future__ import annotations

import argparse
import shutil
import textwrap

import attrs

__all__ = ["HELP", "MAIN", "CommandHelp", "HelpFormatter", "help_width"]

MAX_WIDTH = 80


def help_width() -> int:
    """The columns help may take: the terminal's, at most 80."""
    return min(MAX_WIDTH, shutil.get_terminal_size((MAX_WIDTH, 24)).columns)


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, at most 80 columns wide, that fills prose paragraphs at word
    boundaries (never mid-word nor at a hyphen: ``--acknowledge-disclaimer`` stays whole)
    and keeps indented paragraphs (examples) line for line."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 30,
        width: int | None = None,
    ) -> None:
        width = width or help_width() - 1
        super().__init__(prog, indent_increment, min(max_help_position, width // 3), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = textwrap.dedent(text).strip("\n").split("\n\n")
        return "\n\n".join(_fill(paragraph, width, indent) for paragraph in paragraphs)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(
            " ".join(text.split()), width, break_long_words=False, break_on_hyphens=False
        )


def _fill(paragraph: str, width: int, indent: str) -> str:
    lines = paragraph.splitlines()
    if any(line.startswith(" ") for line in lines[1:]) or lines[0].startswith(" "):
        return "\n".join(indent + line for line in lines)  # examples, as written
    return textwrap.fill(
        " ".join(paragraph.split()),
        width,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


@attrs.frozen
class CommandHelp:
    """A command's help: the one line `fieldsync --help` lists, the paragraphs of
    `fieldsync COMMAND --help`, and its examples (``command  # why`` lines)."""

    summary: str
    description: str
    examples: tuple[str, ...]

    @property
    def epilog(self) -> str:
        """The examples as the help's last section."""
        return "examples:\n" + "\n".join(f"  {line}" for line in self.examples)


MAIN = CommandHelp(
    summary="Keep marketing contact lists in step with an invoicing app's contacts.",
    description="""
Keep marketing contact lists in step with an invoicing app's contacts: Zoho Invoice
customers into Zoho Campaigns lists, or your own source and target.

Syncs are defined in a TOML file (fieldsync init writes one). Run `fieldsync COMMAND
--help` for what a command does, its options and examples; docs/cli.md has the whole
manual, with the exit codes.
""",
    examples=(
        "fieldsync demo                      # a whole sync against emulated Zoho APIs",
        "fieldsync init                      # write a commented fieldsync.toml",
        "fieldsync syncs                     # the syncs, their state and next run",
        "fieldsync initiate 'Invoice customers'",
        "fieldsync worker                    # run due syncs until Ctrl-C",
        "source <(fieldsync completion bash) # complete commands and sync names",
    ),
)

_SYNC = "NAME is the sync's name, as in the file's [[syncs]] name (quote it)."

HELP: dict[str, CommandHelp] = {
    "demo": CommandHelp(
        summary="a whole sync against emulated Zoho APIs",
        description="""
Build a seeded emulated Zoho organization and run the product on it: a sync whose
mapping needs a new field and whose criteria skip some contacts, the plan-limit
disclaimer, the first run with its progress, the sync's detail and history, the
notification, the skipped records as CSV, a second run that sends only the changed
contacts, pause and resume.

Time is simulated, so Zoho's 500 calls a minute cost no real minutes. Needs no
configuration file and no account. Each demo starts anew: the SQLite file in DIR is
made again (`fieldsync console --demo` serves it afterwards).
""",
        examples=(
            "fieldsync demo",
            "fieldsync demo --contacts 20000 --seed 3   # a bigger organization",
        ),
    ),
    "init": CommandHelp(
        summary="write a commented configuration file",
        description="""
Write a commented configuration template: a store, a Zoho integration whose
credentials are read from the environment ("${ZOHO_CLIENT_ID}"), and one sync. Edit
it, set the variables it names, then run `fieldsync syncs`. Refuses to overwrite a
file unless --force.
""",
        examples=(
            "fieldsync init                       # ./fieldsync.toml",
            "fieldsync init sync/prod.toml --force",
        ),
    ),
    "syncs": CommandHelp(
        summary="list the syncs, or show one in detail",
        description=f"""
Without a name: the syncs, with their integration, state, schedule, next run and
last run's status. With a name: its detail, every value whole (list key, criteria,
configuration version, id), the field mapping and the runs.

Syncs named in the file are created in the store the first time a command names
them. {_SYNC}
""",
        examples=(
            "fieldsync syncs",
            "fieldsync syncs 'Invoice customers'",
            "fieldsync --json syncs | jq -r '.[].name'",
        ),
    ),
    "preview": CommandHelp(
        summary="what the next run would do (writes nothing)",
        description=f"""
Show what the next run would do, writing nothing: the fields it would create, how
many contacts it would add, update and leave unchanged, and how many it would skip,
by reason. Exits 2 when the mapping or the criteria do not fit the schemas. After
`edit` it previews the saved version and says so. {_SYNC}
""",
        examples=("fieldsync preview 'Invoice customers'",),
    ),
    "initiate": CommandHelp(
        summary="validate, create fields, start the first run",
        description=f"""
Start a sync: validate it against the live schemas, create the fields its mapping
marks new, and run it for the first time, with a progress bar on stderr. Then show
the result, the sync's configuration and the commands to go on with. After `edit`,
initiate applies the saved version.

When the plan-limit disclaimer applies it is printed and, on a terminal, you are
asked; elsewhere (scripts, CI) --acknowledge-disclaimer is needed, or the command
exits 3. {_SYNC}
""",
        examples=(
            "fieldsync initiate 'Invoice customers'",
            "fieldsync initiate 'Invoice customers' --acknowledge-disclaimer",
        ),
    ),
    "run": CommandHelp(
        summary="run one sync now, or every due one",
        description=f"""
Run one sync now (NAME), or every active sync whose scheduled time has come (--due:
for cron, which then needs no worker). A run sends only the contacts changed since
the last one. Exits 1 when a run failed or was deferred, 4 when the credentials were
rejected, 5 when the sync was paused meanwhile. {_SYNC}
""",
        examples=(
            "fieldsync run 'Invoice customers'",
            "fieldsync run --due          # in a crontab: */10 * * * * fieldsync run --due",
        ),
    ),
    "worker": CommandHelp(
        summary="run due syncs on their schedules until stopped",
        description="""
Run due syncs on their schedules, checking every --interval seconds, until Ctrl-C or
SIGTERM; it stops after the current run. With --listen it also serves the webhook
receiver there (POST /hooks/INTEGRATION, needs fieldsync[web]): an integration with a
webhook_secret runs its syncs within seconds of Zoho Invoice announcing an edit.
""",
        examples=(
            "fieldsync worker",
            "fieldsync worker --interval 300",
            "fieldsync worker --once      # one check, then exit",
            "fieldsync worker --listen 0.0.0.0:8080",
        ),
    ),
    "history": CommandHelp(
        summary="a sync's runs, newest first",
        description=f"""
A sync's runs, newest first: the run's id (its first 8 characters, what
export-skipped takes), when it started, its status, and its counts: total, added,
updated, unchanged, skipped and failed (the total is their sum). {_SYNC}
""",
        examples=(
            "fieldsync history 'Invoice customers'",
            "fieldsync --json history 'Invoice customers' | jq '.[0]'",
        ),
    ),
    "verify": CommandHelp(
        summary="read the list back and compare it with the sync",
        description=f"""
Read the sync's list back from Zoho Campaigns and the source in full, and compare:
contacts removed or edited by hand, contacts added elsewhere (left alone),
unsubscribed or bounced contacts (recorded, so runs skip them), contacts deleted or
whose address changed in the source. Custom fields cannot be read back. About one
call per 650 members. Exits 6 when the list differs; --repair sends again only what
differs, applies the on_source_delete and on_email_change policies, and exits 0.
{_SYNC}
""",
        examples=(
            "fieldsync verify 'Invoice customers'",
            "fieldsync verify 'Invoice customers' --repair",
            "fieldsync --json verify 'Invoice customers' | jq '.missing'",
        ),
    ),
    "export-skipped": CommandHelp(
        summary="a run's skipped and failed records as CSV",
        description="""
Write a run's skipped and failed records as CSV: each record's key, email,
disposition, reason code and reason text, for fixing them in the source. RUN is the
run's id or its first 8 characters, as `fieldsync history NAME` shows them.
""",
        examples=(
            "fieldsync export-skipped 2ba83c1d skipped.csv",
            "fieldsync export-skipped 2ba83c1d - | head",
        ),
    ),
    "pause": CommandHelp(
        summary="pause a sync",
        description=f"""
Pause a sync: the schedule stops running it, and a run in progress (in a worker or
another terminal) stops at its next batch. `fieldsync resume NAME` resumes it. {_SYNC}
""",
        examples=("fieldsync pause 'Invoice customers'",),
    ),
    "resume": CommandHelp(
        summary="resume a paused sync",
        description=f"""
Resume a paused sync: it runs on its schedule again, and a pass that the pause
interrupted continues from its checkpoint. {_SYNC}
""",
        examples=("fieldsync resume 'Invoice customers'",),
    ),
    "edit": CommandHelp(
        summary="save the file's configuration as a new version",
        description=f"""
Save the sync's mapping, criteria, schedule and options from the file as a new
configuration version. `run` keeps the version in force until `fieldsync initiate
NAME` applies the new one; `preview` shows what the new one would do. {_SYNC}
""",
        examples=(
            "fieldsync edit 'Invoice customers'",
            "fieldsync preview 'Invoice customers'     # what the new version would do",
            "fieldsync initiate 'Invoice customers'    # apply it",
        ),
    ),
    "notifications": CommandHelp(
        summary="the notification inbox",
        description="""
The notification inbox (the console's bell), numbered, newest first: runs that
completed or failed, syncs that need attention. --open N shows notification N whole
with the sync it is about, and marks it read.
""",
        examples=(
            "fieldsync notifications --unread",
            "fieldsync notifications --open 1",
            "fieldsync notifications --mark-read",
        ),
    ),
    "console": CommandHelp(
        summary="the Sync Services console on 127.0.0.1",
        description="""
Serve the Sync Services console (web pages) with uvicorn on this machine: on the
file's store and integrations, or with --demo on the data `fieldsync demo` left in
DIR. Only loopback addresses are accepted; to serve others, mount
fieldsync.web.console behind an authorize hook. Needs fieldsync[web]; Ctrl-C stops
it.
""",
        examples=(
            "fieldsync console",
            "fieldsync demo && fieldsync console --demo",
            "fieldsync console --port 9000",
        ),
    ),
    "disable-integration": CommandHelp(
        summary="disable an integration and its syncs",
        description="""
Disable an integration: show the syncs that will stop and the credentials that will
be revoked, then ask (on a terminal) or need --yes. History is kept: syncs, history,
notifications and export-skipped keep working; preview, initiate and run of its syncs
refuse (exit 3). NAME is the integration's name, as in [integrations.NAME].
""",
        examples=(
            "fieldsync disable-integration zoho",
            "fieldsync disable-integration zoho --yes",
        ),
    ),
    "completion": CommandHelp(
        summary="print a shell completion script",
        description="""
Print a completion script for bash, zsh or fish: it completes the commands, their
options, and sync and integration names (read from the configuration file, the one
--config names if typed, when Tab is pressed). Install it once per shell, as
docs/cli.md says, or load it in the shell's startup file.
""",
        examples=(
            "source <(fieldsync completion bash)        # in ~/.bashrc",
            "fieldsync completion zsh > ~/.zfunc/_fieldsync",
            "fieldsync completion fish > ~/.config/fish/completions/fieldsync.fish",
        ),
    ),
}
