"""The completion scripts, one function per shell, written from the commands and options
``_completion`` reads off the parser.

Each script finds the command among the words typed (skipping the global options and the
values of ``--config`` and ``--tz``), then completes that command's options, or the names
it takes by running ``fieldsync [--config PATH] completion --names syncs|integrations``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs

__all__ = ["SCRIPTS", "CommandSpec", "OptionSpec", "bash_script", "fish_script", "zsh_script"]


@attrs.frozen
class OptionSpec:
    """An option as the scripts complete it.

    Attributes:
        names: its spellings (``-v``, ``--verbose``).
        help: what it means (zsh and fish show it).
        value: what follows it: ``""`` (a flag), ``"file"``, or ``"word"`` (anything).
    """

    names: tuple[str, ...]
    help: str
    value: str


@attrs.frozen
class CommandSpec:
    """A command as the scripts complete it.

    Attributes:
        name: the command (``initiate``).
        summary: its one line (zsh and fish show it).
        options: its options.
        operand: what its arguments are: ``"syncs"`` or ``"integrations"`` (names from the
            file), ``"files"``, a space-separated list of choices, or ``""`` (nothing to
            complete).
    """

    name: str
    summary: str
    options: tuple[OptionSpec, ...]
    operand: str


Script = Callable[[Sequence[OptionSpec], Sequence[CommandSpec]], str]


def _names(options: Sequence[OptionSpec]) -> str:
    return " ".join(name for option in options for name in option.names)


def _valued(options: Sequence[OptionSpec], value: str) -> str:
    """The options that take a ``value`` (``file``, ``word``), as a case pattern."""
    names = dict.fromkeys(n for o in options if o.value == value for n in o.names)
    return "|".join(names) or "--"


def _single(text: str) -> str:
    """``text`` in POSIX single quotes (bash and zsh)."""
    return "'" + text.replace("'", "'\\''") + "'"


def _global_scan(words: str, count: str, first: str) -> str:
    """Shell (bash or zsh) that sets ``command`` (the first word that is not an option)
    and ``config`` (``--config PATH`` as typed) from the words before the cursor."""
    return f"""\
    local command="" i
    local -a config=()
    for ((i = {first}; i < {count}; i++)); do
        case "${{{words}[i]}}" in
            --config) config=(--config "${{{words}[i+1]}}"); ((i++)) ;;
            --config=*) config=("${{{words}[i]}}") ;;
            --tz) ((i++)) ;;
            -*) ;;
            *) [[ -z $command ]] && command="${{{words}[i]}}" ;;
        esac
    done
"""


def bash_script(options: Sequence[OptionSpec], commands: Sequence[CommandSpec]) -> str:
    """The bash script (``source <(fieldsync completion bash)``)."""
    every = [o for c in commands for o in c.options] + list(options)
    cases = "\n".join(
        f"        {c.name}) opts={_single(_names(c.options))}; operand={_single(c.operand)} ;;"
        for c in commands
    )
    return f"""\
# fieldsync completion for bash. Load it with: source <(fieldsync completion bash)
_fieldsync() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
{_global_scan("COMP_WORDS", "COMP_CWORD", "1")}
    case "$prev" in
        {_valued(every, "file")}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        {_valued(every, "word")}) COMPREPLY=(); return ;;
    esac
    if [[ -z $command ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W {_single(_names(options))} -- "$cur"))
        else
            COMPREPLY=($(compgen -W {_single(" ".join(c.name for c in commands))} -- "$cur"))
        fi
        return
    fi
    local opts="" operand="" name quoted
    case "$command" in
{cases}
    esac
    COMPREPLY=()
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    elif [[ $operand == syncs || $operand == integrations ]]; then
        while IFS= read -r name; do
            quoted=$(printf '%q' "$name")
            if [[ $name == "$cur"* || $quoted == "$cur"* ]]; then
                COMPREPLY+=("$quoted")
            fi
        done < <(fieldsync "${{config[@]}}" completion --names "$operand" 2>/dev/null)
    elif [[ $operand == files ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
    elif [[ -n $operand ]]; then
        COMPREPLY=($(compgen -W "$operand" -- "$cur"))
    fi
}}
complete -o default -F _fieldsync fieldsync
"""


def zsh_script(options: Sequence[OptionSpec], commands: Sequence[CommandSpec]) -> str:
    """The zsh script (``fieldsync completion zsh > ~/.zfunc/_fieldsync``, or sourced)."""
    every = [o for c in commands for o in c.options] + list(options)
    described = "\n".join(
        f"        {_single(c.name + ':' + c.summary.replace(':', ' -'))}" for c in commands
    )
    cases = "\n".join(
        f"        {c.name}) opts=({_names(c.options)}); operand={_single(c.operand)} ;;"
        for c in commands
    )
    return f"""\
#compdef fieldsync
# fieldsync completion for zsh. Save it as _fieldsync in a folder of $fpath, or load it
# with: source <(fieldsync completion zsh)  (after compinit)
_fieldsync() {{
{_global_scan("words", "CURRENT", "2")}
    case "${{words[CURRENT-1]}}" in
        {_valued(every, "file")}) _files; return ;;
        {_valued(every, "word")}) return ;;
    esac
    if [[ -z $command ]]; then
        if [[ ${{words[CURRENT]}} == -* ]]; then
            compadd -- {_names(options)}
        else
            local -a commands=(
{described}
            )
            _describe command commands
        fi
        return
    fi
    local -a opts=()
    local operand=""
    case "$command" in
{cases}
    esac
    if [[ ${{words[CURRENT]}} == -* ]]; then
        compadd -- $opts
    elif [[ $operand == syncs || $operand == integrations ]]; then
        local -a found=(${{(f)"$(fieldsync $config completion --names $operand 2>/dev/null)"}})
        compadd -a found
    elif [[ $operand == files ]]; then
        _files
    elif [[ -n $operand ]]; then
        compadd -- ${{=operand}}
    fi
}}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _fieldsync "$@"
else
    compdef _fieldsync fieldsync
fi
"""


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_option(option: OptionSpec, condition: str) -> str:
    spellings = " ".join(
        f"-s {name[1:]}" if len(name) == 2 else f"-l {name[2:]}" for name in option.names
    )
    value = {"": "", "file": " -r -F", "word": " -x"}[option.value]
    return (
        f"complete -c fieldsync -n {_fish_quote(condition)} {spellings}{value}"
        f" -d {_fish_quote(option.help)}"
    )


def fish_script(options: Sequence[OptionSpec], commands: Sequence[CommandSpec]) -> str:
    """The fish script (``fieldsync completion fish >
    ~/.config/fish/completions/fieldsync.fish``)."""
    lines = [
        "# fieldsync completion for fish. Save it as",
        "# ~/.config/fish/completions/fieldsync.fish",
        "function __fieldsync_command",
        "    set -l words (commandline -opc)",
        "    set -e words[1]",
        "    set -l skip 0",
        "    for word in $words",
        "        if test $skip = 1",
        "            set skip 0",
        "        else if contains -- $word --config --tz",
        "            set skip 1",
        "        else if not string match -q -- '-*' $word",
        "            echo $word",
        "            return 0",
        "        end",
        "    end",
        "    return 1",
        "end",
        "function __fieldsync_needs_command",
        "    not __fieldsync_command >/dev/null",
        "end",
        "function __fieldsync_using",
        "    set -l command (__fieldsync_command)",
        '    and test "$command" = $argv[1]',
        "end",
        "function __fieldsync_names",
        "    set -l words (commandline -opc)",
        "    set -l config",
        "    set -l at (contains -i -- --config $words)",
        "    and set config --config $words[(math $at + 1)]",
        "    fieldsync $config completion --names $argv 2>/dev/null",
        "end",
        "complete -c fieldsync -f",
    ]
    lines += [_fish_option(option, "__fieldsync_needs_command") for option in options]
    lines += [
        f"complete -c fieldsync -n __fieldsync_needs_command -a {c.name}"
        f" -d {_fish_quote(c.summary)}"
        for c in commands
    ]
    for command in commands:
        condition = f"__fieldsync_using {command.name}"
        lines += [_fish_option(option, condition) for option in command.options]
        complete = f"complete -c fieldsync -n {_fish_quote(condition)}"
        if command.operand == "files":
            lines.append(f"{complete} -F")
        elif command.operand in ("syncs", "integrations"):
            lines.append(f"{complete} -a {_fish_quote(f'(__fieldsync_names {command.operand})')}")
        elif command.operand:
            lines.append(f"{complete} -a {_fish_quote(command.operand)}")
    return "\n".join(lines) + "\n"


SCRIPTS: dict[str, Script] = {"bash": bash_script, "fish": fish_script, "zsh": zsh_script}
