"""Input and output schemas of recaps and parcels."""
from marshmallow import ValidationError, fields, pre_load, validate

from distribusi.intake.models import DOC_TYPE_LABELS
from distribusi.intake.schemas import AddressOut
from distribusi.recap.codes import display
from distribusi.recap.services import MAX_DOCUMENTS_PER_RECAP, recap_groups
from distribusi.schemas import BaseSchema, Id, UtcDateTime
from distribusi.workflow import label


class RecapIn(BaseSchema):
    document_ids = fields.List(
        Id(), required=True,
        validate=validate.Length(min=1, max=MAX_DOCUMENTS_PER_RECAP),
    )

    @pre_load
    def refuse_a_long_list(self, data, **kwargs):
        """A list past the limit is refused before its ids are validated one by one (millions take seconds)."""
        ids = data.get("document_ids") if isinstance(data, dict) else None
        if isinstance(ids, list) and len(ids) > MAX_DOCUMENTS_PER_RECAP:
            raise ValidationError(f"Maksimal {MAX_DOCUMENTS_PER_RECAP} dokumen per rekapan.", "document_ids")
        return data


class ParcelDocumentOut(BaseSchema):
    id = fields.Integer()
    doc_type = fields.String()
    doc_number = fields.String()
    owner_name = fields.String()


class ParcelOut(BaseSchema):
    id = fields.Integer()
    position = fields.Integer()
    tracking_code = fields.String()
    tracking_code_display = fields.Function(lambda p: display(p.tracking_code))
    status = fields.Function(lambda p: p.status.value)
    status_label = fields.Function(lambda p: label(p.status))
    recipient_name = fields.String()
    phone = fields.String()
    kk_number = fields.String()
    address = fields.Nested(AddressOut)
    group_doc_type = fields.String()
    doc_types = fields.Function(lambda p: sorted({d.doc_type for d in p.documents}))
    documents = fields.List(fields.Nested(ParcelDocumentOut))


class RecapGroupOut(BaseSchema):
    doc_type = fields.String()
    doc_type_label = fields.Function(lambda g: DOC_TYPE_LABELS.get(g["doc_type"], g["doc_type"]))
    kecamatan = fields.String()
    parcel_count = fields.Integer()
    document_count = fields.Integer()
    tracking_codes = fields.List(fields.String())


class RecapOut(BaseSchema):
    id = fields.Integer()
    number = fields.String()
    status = fields.Function(lambda r: r.status.value)
    status_label = fields.Function(lambda r: label(r.status))
    created_at = UtcDateTime()
    submitted_at = UtcDateTime(allow_none=True)
    parcel_count = fields.Function(lambda r: len(r.parcels))
    document_count = fields.Function(lambda r: sum(len(p.documents) for p in r.parcels))
    parcels = fields.List(fields.Nested(ParcelOut))
    groups = fields.Method("get_groups")

    def get_groups(self, recap):
        return RecapGroupOut(many=True).dump(recap_groups(recap))
