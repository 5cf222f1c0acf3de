"""Stores written by the previous release (schema 1: one store.json rewritten whole) read by this one:
moved once into today's layout, every document kept, the old file kept aside."""

import shutil

import pytest
from paths import ROOT

from cpambot.store.database import STORE_DIR, Store
from cpambot.store.migrate import KEPT_AS, legacy_tables

V1 = ROOT / "tests" / "fixtures" / "stores" / "v1"


@pytest.mark.parametrize("name", ["demo", "bounced", "taught"])
def test_a_schema_1_store_is_moved_with_every_document(tmp_path, name, caplog):
    """GIVEN a data folder written by the previous release WHEN this release opens it for writing THEN
    every document of every table is there unchanged, the old file is kept as store.json.v1 and the
    journal says so; a second open changes nothing."""
    data = tmp_path / name
    shutil.copytree(V1 / name, data)
    expected = legacy_tables(data)
    assert sum(len(t) for t in expected.values()) > 10
    with Store.open(data) as store:
        for table, docs in expected.items():
            assert {d["_key"]: d for d in store.values(table)} == docs, table
    assert (data / KEPT_AS).exists() and not (data / "store.json").exists()
    assert "base mise à jour (schéma 1 → 2)" in caplog.text
    with Store.open(data) as store:
        assert {t: store.count(t) for t in expected} == {t: len(d) for t, d in expected.items()}


def test_a_reader_reads_an_old_store_without_moving_it(tmp_path):
    """GIVEN a schema-1 data folder WHEN a read-only command opens it (the service not yet restarted on
    the new release) THEN it reads every document, and leaves the folder as it was."""
    data = tmp_path / "demo"
    shutil.copytree(V1 / "demo", data)
    before = sorted(p.name for p in data.iterdir())
    with Store.open(data, readonly=True) as store:
        assert store.count("cases") == len(legacy_tables(data)["cases"])
    assert sorted(p.name for p in data.iterdir()) == before


def test_a_migration_cut_short_is_made_again(tmp_path):
    """GIVEN a migration that died while writing the new folder aside (store.new left behind) WHEN the
    store opens THEN the migration is made again from the old file, whole."""
    data = tmp_path / "demo"
    shutil.copytree(V1 / "demo", data)
    (data / (STORE_DIR + ".new")).mkdir()
    (data / (STORE_DIR + ".new") / "half.json").write_text("{")
    expected = legacy_tables(data)
    with Store.open(data) as store:
        assert store.count("ledger") == len(expected["ledger"])
    assert not (data / (STORE_DIR + ".new")).exists()
