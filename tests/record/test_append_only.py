import pytest
from django.core.exceptions import ValidationError

from cases.models import CaseEvent, Letter


@pytest.mark.parametrize("model", [CaseEvent, Letter])
def test_the_records_rows_refuse_bulk_update_and_delete(model):
    with pytest.raises(ValidationError, match="append-only"):
        model.objects.all().update(kind="changed")
    with pytest.raises(ValidationError, match="append-only"):
        model.objects.all().delete()
