#!/usr/bin/env bash
# One report through all five steps with curl, as README.md shows it (needs curl, jq and python3).
# Usage: docs/walkthrough.sh [BASE_URL]   (default http://127.0.0.1:8000, the `make run` server)
set -euo pipefail
BASE=${1:-http://127.0.0.1:8000}

# The demo IOC and admin accounts have a TOTP second factor with this documented demo key (README);
# `paht demo-totp USERNAME` prints the same code. Any other key is a real secret: never put it in a script.
DEMO_TOTP_KEY=PAHTDEMOTOTPKEYPAHTDEMOTOTPKEY22
totp() {  # the current 6-digit code of the demo key (RFC 6238, standard library only)
  python3 -c 'import base64, hmac, struct, sys, time
digest = hmac.digest(base64.b32decode(sys.argv[1]), struct.pack(">Q", int(time.time()) // 30), "sha1")
offset = digest[-1] & 15
print("%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000))' "$DEMO_TOTP_KEY"
}
token() {  # token USER [CODE]: log in once as a demo account and print its bearer token
  curl -sf -X POST "$BASE/api/v1/auth/token" -H 'Content-Type: application/json' \
    -d "{\"username\": \"$1\", \"password\": \"demo12345\", \"totp_code\": \"${2:-}\"}" | jq -r .access_token
}
org() { curl -sf "$BASE/api/v1/organizations" | jq -r ".[] | select(.code == \"$1\") | .id"; }
act() {  # act TOKEN ACTION JSON: take a workflow action and print the new state
  curl -sf -X POST "$BASE/api/v1/reports/$REPORT/actions/$2" -H "Authorization: Bearer $1" \
    -H 'Content-Type: application/json' -d "$3" | jq -r '"\(.state)"'
}
# One sign-in per person (a TOTP code is accepted only once), each with its own new token.
OPERATOR=$(token ioc.operator "$(totp)")
EDITOR=$(token ioc.editor "$(totp)")
PHUHOI=$(token phuhoi.handler)
HANDLER=$(token sxd.handler)
LEADER=$(token sxd.leader)

# 0. A citizen submits a report (no account needed: a phone or an e-mail and consent).
REPORT_JSON=$(curl -sf -X POST "$BASE/api/v1/reports" -H 'Content-Type: application/json' \
  -H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)" \
  -d '{"description": "Đèn đường trước số 12 Lê Lợi bị hỏng", "location": {"lat": 16.4637, "lon": 107.5909},
       "reporter": {"phone": "0905123456"}, "consent": true}')
REPORT=$(echo "$REPORT_JSON" | jq -r .id)
CODE=$(echo "$REPORT_JSON" | jq -r .code)
echo "submitted $CODE: $(echo "$REPORT_JSON" | jq -r .state)"

# 1. The IOC operator dispatches it — to the wrong body first.
echo "dispatch to PHUHOI: $(act "$OPERATOR" dispatch "{\"organization_id\": $(org PHUHOI)}")"
# 3. Phú Hội's handler returns it, naming the right body (Sở Xây dựng).
echo "return: $(act "$PHUHOI" return "{\"reason\": \"Thuộc thẩm quyền Sở Xây dựng\", \"suggested_organization_id\": $(org SXD)}")"
# 1. The IOC re-dispatches to the suggested body.
echo "dispatch to SXD: $(act "$OPERATOR" dispatch "{\"organization_id\": $(org SXD)}")"
# 2. SXD's handler acknowledges within 30 minutes, then 3. handles it and submits the result.
echo "acknowledge: $(act "$HANDLER" acknowledge '{}')"
echo "submit_result: $(act "$HANDLER" submit_result '{"result": "Đã thay bóng đèn."}')"
# 4. The leader sends it back once, the handler redoes it, the leader edits and approves.
echo "send_back: $(act "$LEADER" send_back '{"reason": "Cần ghi rõ thời gian khắc phục"}')"
echo "submit_result: $(act "$HANDLER" submit_result '{"result": "Đã thay bóng đèn LED lúc 9 giờ."}')"
echo "approve: $(act "$LEADER" approve '{"result": "Đã thay bóng đèn LED mới lúc 9 giờ sáng."}')"
# 5. The IOC editor edits the public text and publishes.
echo "publish: $(act "$EDITOR" publish '{"title": "Sửa đèn đường Lê Lợi"}')"

# Anyone can now follow it by code and read the published result.
curl -sf "$BASE/api/v1/track/$CODE" | jq '{code, state, steps}'
curl -sf "$BASE/api/v1/public/reports/$CODE" | jq '{code, title, result, organization: .organization.name}'
