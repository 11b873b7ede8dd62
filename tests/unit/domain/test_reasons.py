from fieldsync.domain.reasons import ReasonCode


def test_every_reason_has_a_sentence_for_people() -> None:
    assert all(reason.text.endswith(".") for reason in ReasonCode)


def test_a_refusal_for_the_records_data_never_passes_and_the_other_way_round() -> None:
    assert not any(reason.refused_for_its_data and reason.passes for reason in ReasonCode)


def test_retries_running_out_and_a_full_plan_pass_an_invalid_email_does_not() -> None:
    assert (ReasonCode.TARGET_ERROR.passes, ReasonCode.PLAN_LIMIT.passes) == (True, True)
    assert (ReasonCode.INVALID_EMAIL.passes, ReasonCode.INVALID_EMAIL.refused_for_its_data) == (
        False,
        True,
    )


def test_consent_reasons_neither_pass_nor_depend_on_the_data() -> None:
    consent = {reason for reason in ReasonCode if reason.withholds_consent}

    assert {"do_not_mail", "unsubscribed", "bounced", "spam"} == {r.value for r in consent}
    assert not any(r.passes or r.refused_for_its_data for r in consent)
