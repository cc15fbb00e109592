"""Check a case dossier offline: `python3 verify.py DOSSIER.zip` (the Python standard
library only; no database, no Probity). The same code runs inside Probity for
`manage.py verify_case_record --dossier FILE`.

It checks that:
- every file in the manifest is in the zip with the SHA-256 the manifest gives;
- the case record (record.jsonl) is an unbroken hash chain: each event's hash is the
  SHA-256 of its canonical content, and each links to the one before, from the
  genesis hash;
- the chain ends at the head the manifest states, with as many events as it says;
- each personal field given beside an event (version 2 events, docs/decisions/0023)
  is the value the event committed to: the SHA-256 of its salt and value. A field
  whose value was removed under the retention policy is simply absent; the event
  still verifies, since it holds only the commitment.
- each letter's, each piece of evidence's and each proof of compliance's file has the
  SHA-256 its own event in the record gave it.
Exit status 0 when every check passes, 1 otherwise (the first problem is printed)."""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile

GENESIS_HASH = "0" * 64


def canonical(event: dict) -> bytes:
    """What an event's hash covers: the same canonical JSON as CaseEvent.canonical_content."""
    content = {
        key: event[key]
        for key in (
            "case",
            "sequence",
            "at",
            "actor",
            "kind",
            "from_state",
            "to_state",
            "payload",
            "previous_hash",
        )
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def commitment(value, salt: str) -> str:
    """The same salted hash as cases.models.commitment_of."""
    content = json.dumps(
        {"salt": salt, "value": value}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(content.encode()).hexdigest()


def _personal_problem(event: dict) -> str:
    for name, held in (event.get("personal") or {}).items():
        committed = event["payload"].get(name)
        if not isinstance(committed, dict) or "salted_sha256" not in committed:
            return f"event #{event['sequence']} commits to no personal field {name}"
        if commitment(held.get("value"), held.get("salt", "")) != committed["salted_sha256"]:
            return (
                f"event #{event['sequence']}'s {name} is not the value the record committed "
                "to (it was altered)"
            )
    return ""


def check(path) -> list[str]:
    """The problems found in the dossier at `path` (a path or a file object); [] if none."""
    problems: list[str] = []
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        if "manifest.json" not in names or "record.jsonl" not in names:
            return ["the dossier has no manifest.json or no record.jsonl"]
        manifest = json.loads(z.read("manifest.json"))
        for entry in manifest["files"]:
            if entry["path"] not in names:
                problems.append(f"{entry['path']} is missing")
                continue
            digest = hashlib.sha256(z.read(entry["path"])).hexdigest()
            if digest != entry["sha256"]:
                problems.append(f"{entry['path']} does not match its SHA-256 in the manifest")
        previous, count, recorded, chain_ok = GENESIS_HASH, 0, {}, True
        hashes = {}  # sequence -> hash, to find the signed checkpoint's head
        for line in z.read("record.jsonl").decode("utf-8").splitlines():
            event = json.loads(line)
            count += 1
            problem = ""
            if event["sequence"] != count:
                problem = f"event #{count} is missing from the record"
            elif event["previous_hash"] != previous:
                problem = f"event #{count} does not link to the event before it"
            elif hashlib.sha256(canonical(event)).hexdigest() != event["hash"]:
                problem = f"event #{count} does not match its hash (it was altered)"
            else:
                problem = _personal_problem(event)
            if problem:
                # Past a broken link nothing in the record can be trusted: stop there.
                problems.append(problem)
                chain_ok = False
                break
            previous = event["hash"]
            hashes[count] = previous
            if event["kind"] in ("letter_issued", "evidence_added"):
                kind = "letter" if event["kind"] == "letter_issued" else "evidence"
                recorded[(kind, event["payload"].get(kind))] = event["payload"].get("sha256")
            elif event["kind"] == "compliance_proof_uploaded":
                recorded[("proof", event["payload"].get("proof"))] = event["payload"].get("sha256")
        head = manifest["record"]
        if chain_ok and (count, previous) != (head["length"], head["head"]):
            problems.append(
                f"the record has {count} events ending in {previous[:12]}…, but the manifest "
                f"says {head['length']} ending in {head['head'][:12]}…"
            )
        checkpoint = manifest.get("checkpoint")
        if chain_ok and checkpoint:
            problems += _checkpoint_problems(checkpoint, hashes)
        for entry in manifest["files"] if chain_ok else []:
            key = (entry.get("kind"), entry.get("id"))
            if key[0] in ("letter", "evidence", "proof") and recorded.get(key) != entry["sha256"]:
                problems.append(f"{entry['path']} is not the file the case record names")
    return problems


def _checkpoint_problems(checkpoint: dict, hashes: dict[int, str]) -> list[str]:
    """The signed checkpoint must name a head that is in this record, and its
    statement must say so. Its signature is checked where the `cryptography` package
    is installed (it is not in the standard library); compare the key id printed with
    the public key the association publishes."""
    statement = json.loads(checkpoint["signed_statement"])
    if (statement["sequence"], statement["head"]) != (checkpoint["sequence"], checkpoint["head"]):
        return ["the signed checkpoint's statement does not match the checkpoint"]
    if hashes.get(checkpoint["sequence"]) != checkpoint["head"]:
        return [
            f"the record's event #{checkpoint['sequence']} is not the head the association "
            "signed (the record was rewritten or cut short)"
        ]
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.serialization import load_pem_public_key
    except ImportError:
        return []
    if not checkpoint.get("public_key_pem"):
        return []
    key = load_pem_public_key(checkpoint["public_key_pem"].encode())
    try:
        key.verify(bytes.fromhex(checkpoint["signature"]), checkpoint["signed_statement"].encode())
    except InvalidSignature:
        return ["the checkpoint's signature does not verify under the key it names"]
    return []


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: verify.py DOSSIER.zip")
        return 2
    problems = check(argv[1])
    if problems:
        print(
            f"FAILED: {problems[0]}"
            + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
        )
        return 1
    print("OK: every file matches the manifest and the case record's chain is intact.")
    with zipfile.ZipFile(argv[1]) as z:
        checkpoint = json.loads(z.read("manifest.json")).get("checkpoint")
    if checkpoint:
        print(
            f"The record up to event #{checkpoint['sequence']} is signed with key "
            f"{checkpoint['key_id']}: compare it with the key the association publishes."
        )
    else:
        print("The record is unanchored: no signed checkpoint came with it.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
