"""The store's archive: settled documents out of memory, still found by key, by indexed field and by a
full listing; a document put again is hot again; deletions and drops reach the archive too."""

from cpambot.store.database import STORE_DIR, Store


def month_of_closed(doc):
    return doc["closed"][:7] if doc.get("closed") else None


def fill(store):
    for i in range(1, 7):
        closed = f"2025-0{i % 3 + 1}-15" if i % 2 == 0 else None
        state = "closed" if closed else "open"
        store.put("cases", f"k{i}", {"id": f"C{i}", "state": state, "closed": closed})


def test_archived_documents_leave_memory_but_stay_found(tmp_path):
    """GIVEN six cases, three closed in three months WHEN the closed ones are archived THEN the table in
    memory holds the three open ones, the month files hold the others, and get, find, count and values
    with ``archived`` still see all six — after a reopen, and from a read-only reader too."""
    with Store.open(tmp_path / "d") as store:
        fill(store)
        assert store.archive("cases", month_of_closed) == 3
        assert store.count("cases") == 3 and store.count("cases", archived=True) == 6
    months = sorted(p.name for p in (tmp_path / "d" / STORE_DIR / "archive" / "cases").glob("*.json"))
    assert months == ["2025-01.json", "2025-02.json", "2025-03.json"]
    for readonly in (False, True):
        with Store.open(tmp_path / "d", readonly=readonly) as store:
            assert sorted(d["id"] for d in store.values("cases")) == ["C1", "C3", "C5"]
            every = sorted(d["id"] for d in store.values("cases", archived=True))
            assert every == [f"C{i}" for i in range(1, 7)]
            assert store.get("cases", "k4")["closed"] == "2025-02-15"
            assert store.find("cases", "id", "C6") == "k6"


def test_a_document_put_again_is_hot_and_counted_once(tmp_path):
    """GIVEN an archived case WHEN it is put again (reopened) THEN it is in memory, listed once, and its
    new version is what get returns, after a reopen too; WHEN it is archived again THEN it moves."""
    with Store.open(tmp_path / "d") as store:
        fill(store)
        store.archive("cases", month_of_closed)
        store.put("cases", "k2", {"id": "C2", "state": "open", "closed": None})
    with Store.open(tmp_path / "d") as store:
        assert store.get("cases", "k2")["state"] == "open" and store.count("cases") == 4
        assert [d["id"] for d in store.values("cases", archived=True)].count("C2") == 1
        store.put("cases", "k2", {"id": "C2", "state": "closed", "closed": "2026-05-01"})
        assert store.archive("cases", month_of_closed) == 1
    with Store.open(tmp_path / "d") as store:
        assert store.get("cases", "k2")["closed"] == "2026-05-01" and store.count("cases") == 3
        assert store.count("cases", archived=True) == 6


def test_deleting_or_dropping_reaches_the_archive(tmp_path):
    """GIVEN archived cases WHEN one is deleted THEN it is gone for good (after a reopen too); WHEN the
    table is dropped THEN nothing of it is left, archived or not."""
    with Store.open(tmp_path / "d") as store:
        fill(store)
        store.archive("cases", month_of_closed)
        store.delete("cases", "k4")
        assert store.get("cases", "k4") is None
    with Store.open(tmp_path / "d") as store:
        assert store.get("cases", "k4") is None and store.find("cases", "id", "C4") is None
        assert store.count("cases", archived=True) == 5
        store.drop("cases")
        store.put("cases", "new", {"id": "C9", "state": "open"})
    with Store.open(tmp_path / "d") as store:
        assert [d["id"] for d in store.values("cases", archived=True)] == ["C9"]
