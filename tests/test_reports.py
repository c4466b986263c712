"""The reports against answers worked out by hand (see test_reports_data.py for the data and its dates)."""
from __future__ import annotations

import pytest
from test_reports_data import at, build_scenario

from distribusi.extensions import db
from distribusi.reports.couriers import courier_scorecard
from distribusi.reports.deliveries import delivery_report
from distribusi.reports.periods import period_of, percentile_of
from distribusi.reports.steps import step_times
from distribusi.workdays import working_days_between

NOVEMBER = ("2026-11-01", "2026-11-30")


@pytest.fixture
def scenario(app, office, documents):
    return build_scenario(office, documents)


def _november(office):
    return period_of(office, *NOVEMBER)


def test_delivery_report_totals(scenario, office):
    report = delivery_report(office, _november(office))
    parcels, documents = report["totals"]["parcels"], report["totals"]["documents"]
    assert documents["registered"] == 14  # R1's 10 and R2's 4 (1 Nov 03:00 WIB); not 31 Oct WIB nor 1 Dec WIB
    assert parcels["registered"] is None
    expected = {"handed_over": 7, "delivered": 3, "delivered_first": 2, "delivered_later": 1, "failed": 3,
                "returned": 2, "collected": 1, "resent": 1, "still_out": 2}
    assert {name: parcels[name] for name in expected} == expected
    assert {name: documents[name] for name in expected} == {name: 2 * count for name, count in expected.items()}
    reasons = {row["reason"]: (row["attempts"], row["documents"]) for row in report["failed_by_reason"]}
    assert reasons == {"recipient_absent": (1, 2), "address_not_found": (1, 2), "moved": (1, 2)}


def test_delivery_report_breakdowns(scenario, office):
    report = delivery_report(office, _november(office))
    by_partner = {row["label"]: row["parcels"] for row in report["by_partner"]}
    pos, kilat = by_partner["PT Pos Indonesia"], by_partner["PT Kilat Ekspres"]
    assert (pos["handed_over"], pos["delivered"], pos["delivered_first"], pos["failed"], pos["returned"],
            pos["collected"], pos["still_out"]) == (5, 2, 1, 2, 1, 1, 2)
    assert (kilat["handed_over"], kilat["delivered"], kilat["failed"], kilat["returned"], kilat["resent"],
            kilat["still_out"]) == (2, 1, 1, 1, 1, 0)
    by_kecamatan = {row["key"]: row for row in report["by_kecamatan"]}
    assert by_kecamatan["Tampan"]["parcels"]["delivered"] == 2 and by_kecamatan["Tampan"]["parcels"]["still_out"] == 1
    assert by_kecamatan["Sukajadi"]["parcels"]["returned"] == 1 and by_kecamatan["Sukajadi"]["parcels"]["still_out"] == 1
    assert by_kecamatan["Rumbai"]["documents"]["registered"] == 4
    assert "Bukit Raya" not in by_kecamatan  # its documents were registered in October and December (WIB)
    by_type = {row["key"]: row for row in report["by_doc_type"]}
    assert by_type["KK"]["documents"]["registered"] == 10 and by_type["KTP_EL"]["documents"]["registered"] == 4
    assert by_type["KK"]["parcels"]["handed_over"] == 5 and by_type["KTP_EL"]["parcels"]["delivered"] == 1


def test_period_boundary_in_wib(scenario, office):
    """06:00 WIB on 1 December is December's though it is 30 November in UTC."""
    december = delivery_report(office, period_of(office, "2026-12-01", "2026-12-31"))
    assert december["totals"]["parcels"]["delivered"] == 1  # A5
    assert december["totals"]["documents"]["registered"] == 1
    october = delivery_report(office, period_of(office, "2026-10-01", "2026-10-31"))
    assert october["totals"]["parcels"]["handed_over"] == 0  # R2 went at 06:00 WIB on 1 November
    assert october["totals"]["documents"]["registered"] == 1
    assert october["totals"]["parcels"]["still_out"] == 0  # nothing had been handed over yet
    assert december["totals"]["parcels"]["still_out"] == 1  # A4, never scanned


def test_courier_scorecard(scenario, office):
    rows = {row["name"]: row for row in courier_scorecard(office, _november(office))["partners"]}
    pos, kilat = rows["PT Pos Indonesia"], rows["PT Kilat Ekspres"]
    assert {key: pos[key] for key in ("handed_over", "accepted", "delivered", "first_attempt_delivered",
                                      "failed_attempts", "returned", "missing", "with_location")} == {
        "handed_over": 5, "accepted": 4, "delivered": 3, "first_attempt_delivered": 2, "failed_attempts": 2,
        "returned": 1, "missing": 1, "with_location": 1}
    assert pos["delivery_rate"] == 0.6 and pos["first_attempt_rate"] == pytest.approx(2 / 3, abs=1e-4)
    # handover Mon 2 Nov 09:00 WIB -> 3 Nov 09:00 (1), 12 Nov 09:00 (10 days less Sat, Sun and the 11th: 7),
    # 1 Dec 06:00 WIB (28.875 days less 8 weekend days and the 11th: 19.875)
    assert pos["median_days_to_deliver"] == 7.0
    assert pos["p90_days_to_deliver"] == pytest.approx(7 + 0.8 * 12.875, abs=0.01)
    assert pos["median_hours_to_accept"] == 1.0
    reasons = {r["reason"]: r["attempts"] for r in pos["failed_by_reason"]}
    assert reasons == {"recipient_absent": 1, "address_not_found": 1}
    assert {key: kilat[key] for key in ("handed_over", "accepted", "delivered", "first_attempt_delivered",
                                        "failed_attempts", "returned", "missing")} == {
        "handed_over": 2, "accepted": 2, "delivered": 1, "first_attempt_delivered": 1, "failed_attempts": 1,
        "returned": 1, "missing": 0}
    # handed over Sun 1 Nov 06:00 WIB (closed), delivered Mon 09:00 WIB: 27 hours less Sunday's 18 = 9 hours
    assert kilat["median_days_to_deliver"] == pytest.approx(0.375, abs=0.006)
    assert kilat["median_hours_to_accept"] == 26.0


def test_working_days_in_sql_match_the_calendar(scenario, office):
    """The SQL working days equal workdays.working_days_between for the same moments."""
    assert working_days_between(office, at("2026-11-02 02:00"), at("2026-11-12 02:00")) == pytest.approx(7.0)
    assert working_days_between(office, at("2026-10-31 23:00"), at("2026-11-02 02:00")) == pytest.approx(0.375)
    assert working_days_between(office, at("2026-11-02 02:00"), at("2026-11-30 23:00")) == pytest.approx(19.875)


def test_step_times(scenario, office):
    steps = {row["key"]: row for row in step_times(office, _november(office))["steps"]}
    assert (steps["registered"]["count"], steps["registered"]["median"], steps["registered"]["p90"]) == (14, 60, 120)
    assert (steps["in_recap"]["median"], steps["in_recap"]["p90"]) == (6, pytest.approx(9.2))
    assert (steps["submitted"]["median"], steps["submitted"]["p90"]) == (12, pytest.approx(18.4))
    assert (steps["letter_issued"]["median"], steps["letter_issued"]["p90"]) == (17, pytest.approx(22.6))
    assert (steps["signed"]["median"], steps["signed"]["p90"]) == (25, pytest.approx(29))
    assert all(steps[key]["median_over"] for key in ("registered", "in_recap", "submitted", "letter_issued", "signed"))
    handed = steps["handed_over"]  # 4 x 1 hour on a Monday, 2 x 26 hours less Sunday's 18
    assert handed["unit"] == "working_days" and handed["count"] == 6
    assert handed["median"] == pytest.approx(0.04, abs=0.005) and handed["p90"] == pytest.approx(0.33, abs=0.005)
    assert not handed["median_over"]
    accepted = steps["accepted"]  # 1 hour, 23 hours, 9 days 23 hours less 3 closed days; A5 is December's
    assert accepted["count"] == 3 and accepted["median"] == pytest.approx(0.96, abs=0.005)
    assert accepted["p90"] == pytest.approx(0.958333 + 0.8 * 6, abs=0.01)
    assert not accepted["median_over"] and accepted["p90_over"]


def test_standards_come_from_the_office_settings(scenario, office):
    from distribusi.admin.services import update_office

    update_office(office, {"step_standards": {"accepted": {"amount": 6, "unit": "working_days"},
                                              "signed": {"amount": 2, "unit": "working_days"}}})
    db.session.commit()
    steps = {row["key"]: row for row in step_times(office, _november(office))["steps"]}
    assert steps["accepted"]["standard"] == 6 and not steps["accepted"]["p90_over"]
    assert steps["signed"]["unit"] == "working_days" and steps["signed"]["standard_source"] == "Kantor"
    # signed at 22:30 UTC Saturday, handed over 23:00: 30 minutes, all on Sunday 1 Nov (WIB), a closed day
    assert steps["signed"]["median"] == pytest.approx((20 / 1440 + 0) / 2, abs=0.005)


def test_offices_never_mix(scenario, office, other_office, documents):
    build_scenario(other_office, documents, prefix="met-")
    report = delivery_report(office, _november(office))
    assert report["totals"]["parcels"]["handed_over"] == 7
    assert report["totals"]["documents"]["registered"] == 14
    partners = courier_scorecard(office, _november(office))["partners"]
    assert sorted(row["name"] for row in partners) == ["PT Kilat Ekspres", "PT Pos Indonesia"]
    assert sum(row["handed_over"] for row in partners) == 7
    assert {row["key"]: row["count"] for row in step_times(office, _november(office))["steps"]}["registered"] == 14


def test_percentile_rule():
    assert percentile_of([1, 7, 19.875], 5) == 7
    assert percentile_of([1, 2], 9) == pytest.approx(1.9)
    assert percentile_of([], 5) is None


def test_period_defaults_and_refusals(app, office):
    from marshmallow import ValidationError

    period = period_of(office, None, None, now=at("2026-11-30 17:30"))  # 1 Dec 00:30 WIB
    assert period.as_dict() == {"from": "2026-12-01", "to": "2026-12-31"}
    assert period.start == at("2026-11-30 17:00")
    assert period_of(office, "2026-02-01", None).as_dict() == {"from": "2026-02-01", "to": "2026-02-28"}
    for bad in (("2026-13-01", None), ("2026-11-30", "2026-11-01"), ("x", "y")):
        with pytest.raises(ValidationError):
            period_of(office, *bad)
