"""The admin verbs' arguments, as typed after `/plan add`, `retime`, `close`, `kpi` and `qa`."""

from __future__ import annotations

from datetime import date

import pytest

from bot.changes.args import (
    AddAction,
    Close,
    RecordMeasure,
    Retime,
    parse_add,
    parse_close,
    parse_measure,
    parse_retime,
    tokens,
)
from bot.changes.dates import read_date
from bot.changes.matching import find_measure
from bot.plan.refs import ActionRef

MARCH_31 = date(2019, 3, 31)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("31/03/19", MARCH_31),
        ("31/03/2019", MARCH_31),
        ("31/3/19", MARCH_31),
        ("31.03.2019", MARCH_31),
        ("31-03-19", MARCH_31),
        ("2019-03-31", MARCH_31),
        ("31 March 2019", MARCH_31),
        ("31st March 2019", MARCH_31),
        ("31 Mar 2019", MARCH_31),
        ("31 mar. 2019", MARCH_31),
        ("31 of March, 2019", MARCH_31),
        ("31-Mar-19", MARCH_31),
        ("31 Mar '19", MARCH_31),
        ("  31   March   2019 ", MARCH_31),
        ("30 Sept 2019", date(2019, 9, 30)),
        ("29/02/2020", date(2020, 2, 29)),
    ],
)
def test_a_date_as_an_admin_writes_it(written, expected):
    assert read_date(written) == expected


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("", "Give a date"),
        ("31/02/19", "February 2019 has 28 days"),
        ("29/02/2019", "February 2019 has 28 days"),
        ("31/13/19", "there is no month 13"),
        ("31/03", "has no year"),
        ("31 March", "has no year"),
        ("31 Marchember 2019", "'Marchember' is not a month"),
        ("31/03/1919", "not a date of this century"),
        ("soon", "'soon' is not a date; write it as 31/03/19, 31/03/2019 or 31 March 2019"),
        ("31/03-19", "is not a date"),
        ("3.4", "is not a date"),
    ],
)
def test_what_is_not_a_date_says_why(written, message):
    read = read_date(written)
    assert isinstance(read, str) and message in read


def test_tokens_keep_quoted_spans_whole_with_straight_or_curly_quotes():
    words = tokens('3 "Do the  thing" lead “Chair of SSCB” due 31/03/19')
    assert [(t.text, t.quoted) for t in words] == [
        ("3", False),
        ("Do the thing", True),
        ("lead", False),
        ("Chair of SSCB", True),
        ("due", False),
        ("31/03/19", False),
    ]


def test_tokens_unescape_what_slack_escapes():
    [token] = tokens('"Quality Assurance &amp; Performance &lt;QA&gt;"')
    assert token.text == "Quality Assurance & Performance <QA>"


ADD = '3 "Launch the pathway" lead "Director of Early Help" due 31/03/19'


@pytest.mark.parametrize(
    ("rest", "expected"),
    [
        (ADD, AddAction(3, "Launch the pathway", ("Director of Early Help",), MARCH_31)),
        (
            "3 “Launch the pathway” lead “Director of Early Help” due 31 March 2019",
            AddAction(3, "Launch the pathway", ("Director of Early Help",), MARCH_31),
        ),
        (  # the role unquoted, the due date first, keywords in capitals
            '3 "Launch" DUE 31/03/2019 LEAD Director of Early Help',
            AddAction(3, "Launch", ("Director of Early Help",), MARCH_31),
        ),
        (  # two roles lead it; the same one twice is once
            '2 "Train" lead "ICRT Manager" lead "MSET Co-ordinator" lead "ICRT Manager" due 2019-03-31',
            AddAction(2, "Train", ("ICRT Manager", "MSET Co-ordinator"), MARCH_31),
        ),
        (  # Slack's escaping of "&"
            '1 "Review" lead "Director of Quality Assurance &amp; Performance" due 31/03/19',
            AddAction(1, "Review", ("Director of Quality Assurance & Performance",), MARCH_31),
        ),
        (  # "lead" and "due" inside the quoted text are the text's
            '3 "lead the review due in March" lead "Chair of SSCB" due 31/03/19',
            AddAction(3, "lead the review due in March", ("Chair of SSCB",), MARCH_31),
        ),
    ],
)
def test_add_reads(rest, expected):
    assert parse_add(rest) == expected


@pytest.mark.parametrize(
    ("rest", "message"),
    [
        ("", "Say which priority"),
        ("three", "'three' is not a priority number"),
        ('3.4 "x" lead Chair due 31/03/19', "takes a priority number (3), not an action"),
        ("3 Launch lead Chair due 31/03/19", "Put the new action's text in quotes"),
        ('3 "" lead Chair due 31/03/19', "text is empty"),
        ('3 "Launch" due 31/03/19', "Say who leads"),
        ('3 "Launch" lead due 31/03/19', "Give the lead role after `lead`"),
        ('3 "Launch" lead Chair', "Say when the new action is due"),
        ('3 "Launch" lead Chair due', "Say when the new action is due"),
        ('3 "Launch" lead Chair due 31/03/19 due 30/06/19', "Give one `due` date"),
        ('3 "Launch" lead Chair due 31/02/19', "February 2019 has 28 days"),
        ('3 "Launch" lead Chair due 31 March', "has no year"),
        ('3 "Launch" by Chair due 31/03/19', "I don't understand 'by' there"),
        ('3 "Launch lead Chair due 31/03/19', "never closed"),
    ],
)
def test_add_bad_input_says_what_is_valid(rest, message):
    result = parse_add(rest)
    assert isinstance(result, str) and message in result, result


@pytest.mark.parametrize(
    ("rest", "expected"),
    [
        (
            '3.4 30/06/19 "partner delay"',
            Retime(ActionRef(3, 4), date(2019, 6, 30), "partner delay"),
        ),
        ("3.4 30/06/19", Retime(ActionRef(3, 4), date(2019, 6, 30), None)),
        ("3.4 to 30 June 2019", Retime(ActionRef(3, 4), date(2019, 6, 30), None)),
        (  # an unquoted reason after a date of several words
            "3.4 30 June 2019 partner delay, 2 weeks",
            Retime(ActionRef(3, 4), date(2019, 6, 30), "partner delay, 2 weeks"),
        ),
        (
            "3.4 30/06/19 “waiting for the new provider”",
            Retime(ActionRef(3, 4), date(2019, 6, 30), "waiting for the new provider"),
        ),
    ],
)
def test_retime_reads(rest, expected):
    assert parse_retime(rest) == expected


@pytest.mark.parametrize(
    ("rest", "message"),
    [
        ("", "Say which action"),
        ("3 30/06/19", "'3' is not an action number like 3.4"),
        ("3.4", "Say the new date for 3.4"),
        ('3.4 "partner delay"', "Say the new date for 3.4"),
        ("3.4 soon", "'soon' is not a date"),
        ("3.4 30/02/19", "February 2019 has 28 days"),
        ("3.4 30 June", "has no year"),
        ("3.4 30 Juno 2019 late", "'Juno' is not a month"),
    ],
)
def test_retime_bad_input_says_what_is_valid(rest, message):
    result = parse_retime(rest)
    assert isinstance(result, str) and message in result, result


@pytest.mark.parametrize(
    ("rest", "expected"),
    [
        ('3.4 "superseded by 3.9"', Close(ActionRef(3, 4), "superseded by 3.9")),
        ("3.4 superseded by 3.9", Close(ActionRef(3, 4), "superseded by 3.9")),
        ("3.4: merged into 3.2", Close(ActionRef(3, 4), "merged into 3.2")),
    ],
)
def test_close_reads(rest, expected):
    assert parse_close(rest) == expected


@pytest.mark.parametrize(
    ("rest", "message"),
    [
        ("", "Say which action"),
        ("abc because", "'abc' is not an action number"),
        ("3.4", "Say why 3.4 is closed"),
        ('3.4 ""', "Say why 3.4 is closed"),
    ],
)
def test_close_bad_input_says_what_is_valid(rest, message):
    result = parse_close(rest)
    assert isinstance(result, str) and message in result, result


@pytest.mark.parametrize(
    ("kind", "rest", "expected"),
    [
        ("kpi", '1 "Number of unallocated cases" 12', RecordMeasure("kpi", 1, "Number of unallocated cases", "12")),
        ("kpi", "1 7 82%", RecordMeasure("kpi", 1, "7", "82%")),
        ("kpi", "1 caseload 18.5 per worker", RecordMeasure("kpi", 1, "caseload", "18.5 per worker")),
        ("quality", '1 “Safety plans are robust and timely” "Requires improvement"', RecordMeasure("quality", 1, "Safety plans are robust and timely", "Requires improvement")),
        ("quality", "1 3   Good  ", RecordMeasure("quality", 1, "3", "Good")),
    ],
)  # fmt: skip
def test_measure_reads(kind, rest, expected):
    assert parse_measure(kind, rest) == expected


@pytest.mark.parametrize(
    ("kind", "rest", "message"),
    [
        ("kpi", "", "Say which priority, which KPI"),
        ("kpi", "one 3 82%", "'one' is not a priority number"),
        ("kpi", "1", "Say which of priority 1's KPIs"),
        ("kpi", '1 "caseload"', "Give the value to record for 'caseload'"),
        ("quality", "1 3", "Give the rating to record"),
        ("quality", "1 3 " + "x" * 201, "at most 200 fit"),
        ("quality", '1 "Safety plans', "never closed"),
    ],
)
def test_measure_bad_input_says_what_is_valid(kind, rest, message):
    result = parse_measure(kind, rest)
    assert isinstance(result, str) and message in result, result


KPIS = [
    "% of all contacts that have received a decision within 24 hrs",
    "% of all referrals that have received a decision within 24 hrs",
    "Average social worker caseload in Assessment Teams & ICRT",
    "Number of unallocated cases",
]


@pytest.mark.parametrize(
    ("typed", "index"),
    [
        ("1", 0),
        ("4", 3),
        ("number of unallocated cases", 3),
        ("Number of unallocated cases.", 3),
        ("unallocated", 3),
        ("caseload", 2),
        ("% of all referrals", 1),
    ],
)
def test_a_measure_is_found_by_number_name_or_enough_of_its_name(typed, index):
    assert find_measure(typed, KPIS, kind="kpi", priority=1) == index


@pytest.mark.parametrize(
    ("typed", "names", "message"),
    [
        ("5", KPIS, "Priority 1 has no KPI 5; its KPIs are 1 '% of all contacts"),
        ("0", KPIS, "Priority 1 has no KPI 0"),
        ("% of all", KPIS, "'% of all' is part of several of priority 1's KPIs (1 '% of all contacts"),
        ("Number of unalocated cases", KPIS, "Did you mean 4?"),
        ("turnover", KPIS, "Priority 1 has no KPI 'turnover'. Its KPIs are 1 "),
        ("1", [], "Priority 1 has no KPIs."),
    ],
)  # fmt: skip
def test_an_unknown_measure_names_the_valid_ones(typed, names, message):
    result = find_measure(typed, names, kind="kpi", priority=1)
    assert isinstance(result, str) and message in result, result
