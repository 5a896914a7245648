#!/usr/bin/env bash
# One report through all five steps with curl, as README.md shows it (needs curl and jq).
# Usage: docs/walkthrough.sh [BASE_URL]   (default http://127.0.0.1:8000, the `make run` server)
set -euo pipefail
BASE=${1:-http://127.0.0.1:8000}

token() {  # log in as a demo account and print its bearer token
  curl -sf -X POST "$BASE/api/v1/auth/token" -H 'Content-Type: application/json' \
    -d "{\"username\": \"$1\", \"password\": \"demo12345\"}" | jq -r .access_token
}
org() { curl -sf "$BASE/api/v1/organizations" | jq -r ".[] | select(.code == \"$1\") | .id"; }
act() {  # act USER ACTION JSON: take a workflow action and print the new state
  curl -sf -X POST "$BASE/api/v1/reports/$REPORT/actions/$2" -H "Authorization: Bearer $(token "$1")" \
    -H 'Content-Type: application/json' -d "$3" | jq -r '"\(.state)"'
}

# 0. A citizen submits a report (no account needed: a phone or an e-mail and consent).
REPORT_JSON=$(curl -sf -X POST "$BASE/api/v1/reports" -H 'Content-Type: application/json' \
  -H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)" \
  -d '{"description": "Đèn đường trước số 12 Lê Lợi bị hỏng", "location": {"lat": 16.4637, "lon": 107.5909},
       "reporter": {"phone": "0905123456"}, "consent": true}')
REPORT=$(echo "$REPORT_JSON" | jq -r .id)
CODE=$(echo "$REPORT_JSON" | jq -r .code)
echo "submitted $CODE: $(echo "$REPORT_JSON" | jq -r .state)"

# 1. The IOC operator dispatches it — to the wrong body first.
echo "dispatch to PHUHOI: $(act ioc.operator dispatch "{\"organization_id\": $(org PHUHOI)}")"
# 3. Phú Hội's handler returns it, naming the right body (Sở Xây dựng).
echo "return: $(act phuhoi.handler return "{\"reason\": \"Thuộc thẩm quyền Sở Xây dựng\", \"suggested_organization_id\": $(org SXD)}")"
# 1. The IOC re-dispatches to the suggested body.
echo "dispatch to SXD: $(act ioc.operator dispatch "{\"organization_id\": $(org SXD)}")"
# 2. SXD's handler acknowledges within 30 minutes, then 3. handles it and submits the result.
echo "acknowledge: $(act sxd.handler acknowledge '{}')"
echo "submit_result: $(act sxd.handler submit_result '{"result": "Đã thay bóng đèn."}')"
# 4. The leader sends it back once, the handler redoes it, the leader edits and approves.
echo "send_back: $(act sxd.leader send_back '{"reason": "Cần ghi rõ thời gian khắc phục"}')"
echo "submit_result: $(act sxd.handler submit_result '{"result": "Đã thay bóng đèn LED lúc 9 giờ."}')"
echo "approve: $(act sxd.leader approve '{"result": "Đã thay bóng đèn LED mới lúc 9 giờ sáng."}')"
# 5. The IOC editor edits the public text and publishes.
echo "publish: $(act ioc.editor publish '{"title": "Sửa đèn đường Lê Lợi"}')"

# Anyone can now follow it by code and read the published result.
curl -sf "$BASE/api/v1/track/$CODE" | jq '{code, state, steps}'
curl -sf "$BASE/api/v1/public/reports/$CODE" | jq '{code, title, result, organization: .organization.name}'
