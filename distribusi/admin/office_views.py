"""The admin pages of the office: courier partners, office settings and the audit trail."""
from __future__ import annotations

import re
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import or_, select

from distribusi.admin import bp
from distribusi.admin import services as admin_services
from distribusi.admin.models import AUDIT_ACTION_LABELS
from distribusi.admin.schemas import AuditQuery, OfficeSettingsIn, PartnerIn, PartnerUpdateIn
from distribusi.web.pages import in_office
from distribusi.extensions import db
from distribusi.models import CourierPartner
from distribusi.operations.retention import periods as retention_periods
from distribusi.problems import Problem
from distribusi.reports.services import WAIT_STEPS, wait_limits
from distribusi.reports.steps import FLOW_STEPS, UNIT_LABELS, standards
from distribusi.web.pages import field_errors, form_payload, nested_form, paginate, refused
from distribusi.zones import ZONE_NAMES

PARTNER_FIELDS = ("name", "contract_number", "contact")
OFFICIALS = (("head", "Kepala Dinas"), ("secretary", "Sekretaris Dinas"), ("kasubbag", "Kasubbag Umum"))
LETTERHEAD = (("government", "Pemerintah", True), ("agency", "Nama dinas", True), ("address", "Alamat", True),
              ("phone", "Telepon", False), ("email", "E-mail", True), ("website", "Situs web", False))
OFFICIAL_FIELDS = (("name", "Nama", True), ("nip", "NIP", True), ("rank", "Pangkat/golongan", False),
                   ("position", "Jabatan", False))
WAIT_FIELDS = tuple(f"wait_limits.{step.key}" for step in WAIT_STEPS)
RETENTION = (("photos_months", "Foto bukti serah"), ("phone_months", "Nomor HP"),
             ("address_months", "Alamat jalan, RT/RW dan lokasi serah"))
RETENTION_FIELDS = tuple(f"retention.{key}" for key, _label in RETENTION)
STANDARD_FIELDS = tuple(f"step_standards.{step.key}.{name}" for step in FLOW_STEPS for name in ("amount", "unit"))


# --- courier partners -----------------------------------------------------------------------------------------


@bp.route("/mitra", methods=["GET", "POST"])
def partners():
    errors: dict = {}
    status = 200
    if request.method == "POST":
        try:
            data = PartnerIn().load(form_payload(*PARTNER_FIELDS))
            partner = admin_services.create_partner(current_user.office, data, actor=current_user)
        except (ValidationError, Problem) as error:
            errors, status = refused(error), 422
        else:
            db.session.commit()
            flash(f"Mitra kurir {partner.name} ditambahkan.", "success")
            return redirect(url_for("admin.partners"))
    stmt = select(CourierPartner).where(CourierPartner.office_id == current_user.office_id)
    if query := request.args.get("q", "").strip():
        pattern = f"%{query}%"
        stmt = stmt.where(or_(CourierPartner.name.ilike(pattern), CourierPartner.contract_number.ilike(pattern)))
    if (active := request.args.get("active")) in ("1", "0"):
        stmt = stmt.where(CourierPartner.active.is_(active == "1"))
    return render_template("admin/partners.html", pagination=paginate(stmt.order_by(CourierPartner.name)),
                           values=request.form if errors else {}, errors=errors), status


@bp.route("/mitra/<int:partner_id>", methods=["GET", "POST"])
def partner(partner_id: int):
    partner = in_office(CourierPartner, partner_id)
    if request.method == "GET":
        values = {name: getattr(partner, name) for name in PARTNER_FIELDS}
        return render_template("admin/partner.html", partner=partner, values=values, errors={})
    payload: dict[str, Any] = {**form_payload(*PARTNER_FIELDS), "active": request.form.get("active") == "1"}
    if "contact" not in payload:
        payload["contact"] = None
    try:
        admin_services.update_partner(partner, PartnerUpdateIn().load(payload), actor=current_user)
    except (ValidationError, Problem) as error:
        return render_template("admin/partner.html", partner=partner, values=request.form,
                               errors=refused(error)), 422
    db.session.commit()
    flash(f"Mitra kurir {partner.name} disimpan.", "success")
    return redirect(url_for("admin.partners"))


# --- office settings ------------------------------------------------------------------------------------------


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(value, dict):
        return {prefix: value}
    flat: dict[str, Any] = {}
    for key, inner in value.items():
        flat.update(_flat(inner, f"{prefix}.{key}" if prefix else key))
    return flat


def _posted_standards() -> dict[str, Any] | None:
    """The form's time standards as the API's `step_standards`: a step whose amount is left blank has no setting of
    its own, so the report's default holds again; None when the form has no such fields (nothing to change)."""
    if not any(name in request.form for name in STANDARD_FIELDS):
        return None
    posted = nested_form(*STANDARD_FIELDS).get("step_standards", {})
    return {key: standard for key, standard in posted.items() if "amount" in standard}


def _settings_payload() -> dict[str, Any]:
    """The form as the body of PUT /api/v1/admin/office: a group (letterhead, an official) is sent when any of its
    fields is filled, so the schema names the missing ones; a blank group is left as it is."""
    names = [f"letterhead.{name}" for name, _l, _r in LETTERHEAD]
    names += [f"officials.{key}.{name}" for key, _title in OFFICIALS for name, _l, _r in OFFICIAL_FIELDS]
    payload = nested_form("name", "letter_number_format", "public_base_url", "timezone", *names, *WAIT_FIELDS,
                          *RETENTION_FIELDS)
    payload["delivery_policy"] = {name: request.form.get(f"delivery_policy.{name}") == "1"
                                  for name in ("allow_family", "allow_other")}
    payload["delivery_code"] = request.form.get("delivery_code") == "1"  # courier/delivery_codes
    if doc_types := [code for code in re.split(r"[\s,;]+", request.form.get("doc_types", "").upper()) if code]:
        payload["doc_types"] = doc_types
    if (step_standards := _posted_standards()) is not None:
        payload["step_standards"] = step_standards
    return payload


def _settings_values() -> dict[str, Any]:
    office = current_user.office
    settings = office.settings or {}
    values = {"name": office.name, **_flat({key: value for key, value in settings.items() if key != "doc_types"})}
    values["doc_types"] = ", ".join(settings.get("doc_types") or [])
    values.update({f"wait_limits.{key}": minutes for key, minutes in wait_limits(office).items()})
    values.update({f"retention.{key}": months for key, months in retention_periods(office).items()})
    # amounts only where the office set its own (above): a default left blank is not saved as the office's
    for key, standard in standards(office).items():
        values.setdefault(f"step_standards.{key}.unit", standard["unit"])
    return values


def _settings_page(values: dict, errors: dict, status: int = 200):
    return render_template("admin/settings.html", values=values, errors=errors, officials=OFFICIALS,
                           letterhead=LETTERHEAD, official_fields=OFFICIAL_FIELDS, wait_steps=WAIT_STEPS, retention=RETENTION,
                           flow_steps=FLOW_STEPS, units=list(UNIT_LABELS.items()),
                           zones=list(ZONE_NAMES.items())), status


@bp.route("/pengaturan", methods=["GET", "POST"])
def settings():
    if request.method == "GET":
        return _settings_page(_settings_values(), {})
    try:
        admin_services.update_office(current_user.office, OfficeSettingsIn().load(_settings_payload()),
                                     actor=current_user)
    except (ValidationError, Problem) as error:
        values = request.form.to_dict()
        for name in ("delivery_policy.allow_family", "delivery_policy.allow_other", "delivery_code"):
            values[name] = request.form.get(name) == "1"
        return _settings_page(values, refused(error), 422)
    db.session.commit()
    flash("Pengaturan kantor disimpan.", "success")
    return redirect(url_for("admin.settings"))


# --- audit trail ----------------------------------------------------------------------------------------------


@bp.route("/audit")
def audit():
    args = {name: value for name, value in request.args.items() if value.strip()}
    try:
        query = AuditQuery().load(args)
        errors: dict = {}
    except ValidationError as error:
        query, errors = {}, field_errors(error)
    found = admin_services.audit_page(current_user.office, **query)
    return render_template("admin/audit.html", found=found, errors=errors, values=request.args,
                           actions=list(AUDIT_ACTION_LABELS.items())), 422 if errors else 200
