"""``verifyAuditChain``: auditors recompute the chain of every store over HTTP."""

from tests.e2e.conftest import submit


def test_an_auditor_verifies_every_store_and_sees_a_tampered_event(client, people, container):
    submit(client, people["citizen"])
    reply = client.get("/audit/chain/verification", headers=people["auditor"])
    assert reply.status_code == 200, reply.text
    stores = {r["store"]: r for r in reply.json()}
    assert {"accounts", "dossiers"} <= set(stores)
    assert all(r["ok"] and r["firstBreak"] is None for r in stores.values())
    assert stores["dossiers"]["eventsChecked"] >= 2 and len(stores["dossiers"]["headHash"]) == 64

    # Snapshots of real aggregates (the dossier and its code counter) equal their replay.
    dossiers = container.services.dossiers
    for originator in {n.originator_id for n in dossiers.recorder.select_notifications(None, 10)}:
        dossiers.take_snapshot(originator)
    checked = client.get("/audit/chain/verification", params={"store": "dossiers"}, headers=people["auditor"]).json()
    assert checked[0]["ok"] and checked[0]["snapshotsChecked"] == 2, checked

    recorder = container.services.dossiers.recorder
    target = recorder.select_notifications(None, 1)[0].id
    link = recorder.select_chain(target, 1)[0]
    assert link.notification_id == target
    _overwrite_link(recorder, target)
    one = client.get("/audit/chain/verification", params={"store": "dossiers"}, headers=people["auditor"]).json()
    assert [r["store"] for r in one] == ["dossiers"] and not one[0]["ok"]
    assert one[0]["firstBreak"] == {"notificationId": target, "reason": "hash-mismatch", "detail": ""}


def test_only_auditors_may_verify_and_an_unknown_store_is_a_bad_request(client, people):
    assert client.get("/audit/chain/verification", headers=people["reception"]).status_code == 403
    assert client.get("/audit/chain/verification", headers=people["citizen"]).status_code == 403
    unknown = client.get("/audit/chain/verification", params={"store": "nope"}, headers=people["auditor"])
    assert unknown.status_code == 400


def _overwrite_link(recorder, notification_id: int) -> None:
    """What an intruder with write access to the database does to one link."""
    zeros = bytes(32)
    if hasattr(recorder.datastore, "schema"):  # PostgreSQL
        from psycopg.sql import SQL, Identifier

        statement = SQL("UPDATE {}.{} SET hash = %s WHERE notification_id = %s").format(
            Identifier(recorder.datastore.schema), Identifier(recorder.chain_table_name)
        )
        with recorder.datastore.transaction(commit=True) as curs:
            curs.execute(statement, (zeros, notification_id))
    else:
        with recorder.datastore.transaction(commit=True) as c:
            c.execute(f"UPDATE {recorder.chain_table_name} SET hash=? WHERE notification_id=?", (zeros, notification_id))
