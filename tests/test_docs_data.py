"""docs/data.md is generated from the schemas and must not drift from them."""

from jaarverslag.data.contract import DATASETS
from jaarverslag.data.docs import DATA_DOC, data_doc


def test_the_data_doc_is_what_the_schemas_say():
    assert DATA_DOC.read_text(encoding="utf-8") == data_doc(), (
        "docs/data.md is out of date: run `.venv/bin/python -m jaarverslag.data.docs`")


def test_every_dataset_and_column_is_documented():
    text = DATA_DOC.read_text(encoding="utf-8")
    for dataset in DATASETS.values():
        assert f"## `{dataset.name}`" in text
        for field in dataset.fields:
            assert f"| `{field.name}` |" in text
