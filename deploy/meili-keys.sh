#!/usr/bin/env bash
# meili-keys.sh — creates (idempotently) the two restricted Meilisearch API keys Shian uses, and prints them.
#
#   deploy/meili-keys.sh MEILI_URL            (the master key is read from MEILI_MASTER_KEY)
#
# Output, ready for an env file:
#   SHIAN_MEILI_KEY=…          the indexer key: give it to `shian serve` and `shian reindex`
#   SHIAN_MEILI_SEARCH_KEY=…   search only, index `shops`: for anything else that only reads
#
# The master key never leaves the operator: Shian runs with the indexer key, which can search, write
# documents and settings, create, swap and delete indexes — but only indexes named shops or shops_*
# (the live index and the ones `shian reindex` builds and swaps in) — and cannot read or create keys,
# take dumps or touch any other index.
#
# Keys have fixed uids, so running this again prints the same keys (Meilisearch derives a key's value
# from its uid and the master key). Rotating the master key changes both keys: run the script again and
# roll the replicas (RUNBOOK.md, "Meilisearch keys").
set -euo pipefail

url=${1:?usage: MEILI_MASTER_KEY=… $0 MEILI_URL}
url=${url%/}
master=${MEILI_MASTER_KEY:?set MEILI_MASTER_KEY}

readonly INDEXER_UID=5d1a1f0e-8a2b-4c3e-9a6f-5b1e0c7d2a11
readonly SEARCH_UID=7e2b3c4d-1f5a-4b6c-8d7e-9f0a1b2c3d44

# ensure_key UID BODY: creates the key unless it exists; prints its value.
ensure_key() {
	local uid=$1 body=$2 out code
	out=$(mktemp)
	code=$(curl -sS -o "$out" -w '%{http_code}' -m 10 -X POST "$url/keys" \
		-H "Authorization: Bearer $master" -H 'Content-Type: application/json' --data "$body")
	case $code in
	201) ;;
	409) # exists (index_already_exists-style conflict on the uid): fetch it
		code=$(curl -sS -o "$out" -w '%{http_code}' -m 10 "$url/keys/$uid" -H "Authorization: Bearer $master")
		[ "$code" = 200 ] || { cat "$out" >&2; rm -f "$out"; echo "meili-keys: GET /keys/$uid: HTTP $code" >&2; exit 1; } ;;
	*)
		cat "$out" >&2
		rm -f "$out"
		echo "meili-keys: POST /keys: HTTP $code" >&2
		exit 1
		;;
	esac
	sed -n 's/.*"key":"\([^"]*\)".*/\1/p' "$out"
	rm -f "$out"
}

indexer=$(ensure_key "$INDEXER_UID" '{
  "uid": "'"$INDEXER_UID"'",
  "name": "shian-indexer",
  "description": "Shian replicas and shian reindex: shops and shops_* only",
  "actions": ["search", "documents.add", "documents.get", "documents.delete",
              "indexes.create", "indexes.get", "indexes.update", "indexes.delete", "indexes.swap",
              "settings.get", "settings.update", "tasks.get", "stats.get", "version"],
  "indexes": ["shops", "shops_*"],
  "expiresAt": null
}')
search=$(ensure_key "$SEARCH_UID" '{
  "uid": "'"$SEARCH_UID"'",
  "name": "shian-search",
  "description": "read-only: search the live shops index",
  "actions": ["search"],
  "indexes": ["shops"],
  "expiresAt": null
}')
[ -n "$indexer" ] && [ -n "$search" ] || { echo "meili-keys: no key in Meilisearch's answer" >&2; exit 1; }
echo "SHIAN_MEILI_KEY=$indexer"
echo "SHIAN_MEILI_SEARCH_KEY=$search"
