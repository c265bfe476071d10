"""Calendar files are RFC 5545: lines folded at 75 octets (Chinese titles run long), text escaped, times in UTC."""

import icalendar

from events.ical import fair_ical

LONG_TITLE = (
    "山海协作“百县千碗”美食节暨衢州常山胡柚、开化龙顶茶、江山白鹅、龙游发糕、柯城椪柑、衢江粉干展销会（第二季）"
)


def test_fair_calendar_folds_long_lines_and_round_trips(fair):
    fair.title = LONG_TITLE
    fair.summary = "摊位、门票、现场活动; 以及：逗号, 分号; 和反斜杠 \\ 都要转义"
    fair.save()

    text = fair_ical(fair)

    lines = text.split("\r\n")
    assert lines[-1] == "" and all("\n" not in line for line in lines)  # CRLF line ends only
    assert max(len(line.encode()) for line in lines) <= 75
    assert any(line.startswith(" ") for line in lines)  # the long SUMMARY was folded, not cut
    event = icalendar.Calendar.from_ical(text).walk("VEVENT")[0]
    assert str(event["summary"]) == LONG_TITLE
    assert str(event["description"]) == fair.summary
    assert event.decoded("dtstart").utcoffset().total_seconds() == 0  # written in UTC
    assert "DESCRIPTION:摊位、门票、现场活动\\; 以及：逗号\\, 分号" in text.replace("\r\n ", "")


def test_fair_ical_url_serves_the_same_calendar(client, fair):
    fair.title = LONG_TITLE
    fair.save()
    body = client.get(fair.url + "ical/").content.decode()
    assert max(len(line.encode()) for line in body.split("\r\n")) <= 75
    assert str(icalendar.Calendar.from_ical(body).walk("VEVENT")[0]["summary"]) == LONG_TITLE
