"""A deterministic generated history of reports with known right bodies, for measuring dispatch help.

It mimics how Huế's practice differs from the category defaults: street lighting and trees in Phú Bài
belong to the town (UBNDHT), not to Huế's works company; building control and pavement encroachment
belong to the ward; a fallen tree on a power line is the power company's; and so on. Residents write
in many ways (with or without diacritics, typos, chat-style), some leave the category empty or pick a
wrong one, some only name the topic; operators sometimes dispatch to the category default and get the
report returned; one report in ten repeats an earlier one from nearby. Same seed, same history.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from paht.demo import data
from paht.places.geometry import EARTH_RADIUS_M, Polygon, inside, polygons, random_point
from paht.places.service import DEMO_AREAS
from paht.text import fold

WARD = "@ward"  # the report's ward People's Committee
# ward → its district's People's Committee, and where the city's works company does not operate
DISTRICT = {"PHUHOI": "UBNDTP", "VINHNINH": "UBNDTP", "PHUNHUAN": "UBNDTP", "THUANHOA": "UBNDTP", "PHUBAI": "UBNDHT"}
TOWN_WARDS = {"PHUBAI"}
WARD_WEIGHTS = {"PHUHOI": 25, "VINHNINH": 20, "PHUNHUAN": 20, "THUANHOA": 20, "PHUBAI": 15}
MAIN_STREETS = ["Hùng Vương", "Lê Lợi", "Điện Biên Phủ", "Trường Chinh", "Bà Triệu", "Tố Hữu", "Nguyễn Tất Thành"]
TOWN_STREETS = ["Nguyễn Tất Thành", "Sóng Hồng", "Trần Hoàn", "Võ Trác", "Thanh Lam", "Dạ Lê"]
OPENINGS = ["", "", "", "Kính gửi IOC, ", "Xin phản ánh: ", "Chào anh chị, ", "Phản ánh: "]
CLOSINGS = [
    "",
    "",
    " Đề nghị cơ quan chức năng xử lý sớm.",
    " Người dân rất bức xúc.",
    " Mong được giải quyết sớm.",
    " Xin cảm ơn.",
    " Đã nhiều lần phản ánh nhưng chưa được xử lý.",
]


@dataclass(frozen=True)
class Issue:
    key: str
    category: str
    weight: int
    body: str  # an organisation code or WARD
    town_body: str | None  # who handles it in TOWN_WARDS instead, if different
    texts: tuple[str, ...]
    main_road: bool = False


ISSUES = [
    Issue("rac", "RAC_THAI", 10, "HEPCO", WARD, (
        "Rác thải sinh hoạt tập kết tràn ra lòng đường {street}, bốc mùi hôi thối.",
        "Điểm tập kết rác trên đường {street} nhiều ngày không được thu gom, ruồi nhặng nhiều.",
        "Xe thu gom rác không đến khu vực {street} đã ba ngày nay.",
    )),
    Issue("phe_thai", "RAC_THAI", 4, WARD, None, (
        "Có người đổ trộm phế thải xây dựng ven đường {street}.",
        "Xà bần, gạch vỡ đổ thành đống lớn trên vỉa hè {street}, không ai dọn.",
    )),
    Issue("den", "CHIEU_SANG", 9, "HEPCO", "UBNDHT", (
        "Đèn đường trên đoạn {street} bị hỏng, buổi tối rất tối và nguy hiểm.",
        "Cột đèn chiếu sáng đường {street} chập chờn, lúc sáng lúc tắt.",
        "Cả dãy đèn đường {street} không sáng mấy đêm nay.",
    )),
    Issue("den_kiet", "CHIEU_SANG", 3, WARD, None, (
        "Đèn chiếu sáng trong kiệt {n} {street} bị hỏng, người dân đi lại khó khăn.",
        "Kiệt {n} đường {street} tối om vì bóng đèn ngõ xóm bị cháy.",
    )),
    Issue("cay", "CAY_XANH", 6, "HEPCO", "UBNDHT", (
        "Cây xanh trên đường {street} bị nghiêng sau mưa bão, có nguy cơ đổ vào nhà dân.",
        "Cành cây khô lớn trên vỉa hè {street} sắp gãy, đề nghị cắt tỉa.",
    )),
    Issue("cay_dien", "CAY_XANH", 2, "DIENLUC", None, (
        "Cây đổ đè lên đường dây điện trên đường {street}, dây điện bị kéo căng.",
        "Cành cây chạm vào dây điện trung thế trên {street}, có tia lửa khi trời mưa.",
    )),
    Issue("nuoc", "CAP_NUOC", 7, "HUEWACO", None, (
        "Đường ống nước bị vỡ tại {street}, nước chảy lênh láng ra đường.",
        "Khu vực {street} mất nước sinh hoạt từ sáng, chưa có thông báo.",
        "Nước máy ở {street} có màu đục và mùi lạ.",
    )),
    Issue("dien", "DIEN", 6, "DIENLUC", None, (
        "Dây điện bị võng thấp trên đường {street}, xe tải đi qua rất nguy hiểm.",
        "Trạm biến áp gần {street} phát ra tiếng nổ lớn, khu dân cư mất điện.",
        "Mất điện kéo dài ở khu vực {street} từ tối qua.",
    )),
    Issue("o_ga", "GIAO_THONG", 5, "SGTVT", None, (
        "Mặt đường {street} xuất hiện ổ gà lớn, nhiều xe máy bị ngã.",
        "Đường {street} bị sụt lún, nứt toác một đoạn dài.",
    ), main_road=True),
    Issue("kiet_hu", "GIAO_THONG", 3, WARD, None, (
        "Đường bê tông trong kiệt {n} {street} bị bong tróc, lầy lội khi mưa.",
        "Kiệt {n} {street} xuống cấp, ổ gà chi chít, nước đọng.",
    )),
    Issue("tin_hieu", "GIAO_THONG", 3, "SGTVT", None, (
        "Đèn tín hiệu giao thông tại ngã tư {street} bị hỏng, gây ùn tắc.",
        "Biển báo giao thông trên đường {street} bị đổ nghiêng.",
    )),
    Issue("ho_ga", "NGAP_UNG", 3, "SXD", None, (
        "Nắp hố ga trên đường {street} bị mất, rất nguy hiểm cho người đi đường.",
        "Hố ga trên {street} bị vỡ nắp, đã có người sụp chân.",
    )),
    Issue("xay_dung", "TRAT_TU_XD", 6, WARD, None, (
        "Nhà dân trên đường {street} xây thêm tầng trái phép vào ban đêm.",
        "Công trình trên đường {street} lấn ra ngoài chỉ giới, không có biển báo giấy phép.",
    )),
    Issue("du_an", "TRAT_TU_XD", 2, "SXD", None, (
        "Dự án chung cư trên đường {street} thi công sai giấy phép, che chắn không an toàn.",
        "Công trình khách sạn cao tầng trên {street} để vật liệu rơi xuống đường.",
    )),
    Issue("ngap", "NGAP_UNG", 5, "SXD", None, (
        "Đường {street} ngập sâu sau cơn mưa, nước tràn vào nhà dân.",
        "Khu vực {street} ngập nặng mỗi khi mưa lớn.",
    )),
    Issue("cong", "NGAP_UNG", 4, "HEPCO", WARD, (
        "Cống thoát nước trên đường {street} bị tắc, nước đọng bốc mùi.",
        "Mương thoát nước dọc {street} đầy rác, không thoát được nước.",
    )),
    Issue("dat", "DAT_DAI", 2, "STNMT", None, (
        "Tranh chấp ranh giới đất tại {street} kéo dài chưa được giải quyết.",
        "Hồ sơ cấp giấy chứng nhận quyền sử dụng đất ở {street} bị chậm nhiều tháng.",
    )),
    Issue("dat_cong", "DAT_DAI", 2, WARD, None, (
        "Đất công cạnh đường {street} bị rào chiếm làm bãi giữ xe.",
    )),
    Issue("xa_thai", "O_NHIEM", 3, "STNMT", None, (
        "Cơ sở sản xuất gần đường {street} xả khói đen và nước thải ra sông.",
        "Nhà máy gần {street} xả thải gây mùi hôi nồng nặc.",
    )),
    Issue("on_ao", "O_NHIEM", 4, WARD, None, (
        "Quán karaoke trên đường {street} gây ồn ào quá 23 giờ mỗi đêm.",
        "Loa kẹo kéo hát ồn ào đến khuya ở {street}.",
    )),
    Issue("antt", "ANTT", 4, "CATINH", None, (
        "Nhóm thanh niên tụ tập đua xe trên đường {street} vào ban đêm.",
        "Trộm cắp xe máy thường xuyên xảy ra ở khu vực {street}.",
    )),
    Issue("via_he", "LAN_CHIEM", 7, WARD, None, (
        "Hàng quán bày bán lấn chiếm hết vỉa hè đường {street}, người đi bộ phải xuống lòng đường.",
        "Bãi giữ xe tự phát chiếm lòng đường {street} gây ùn tắc giờ cao điểm.",
    )),
    Issue("quan_an", "ATTP", 3, "SYT", None, (
        "Quán ăn trên đường {street} mất vệ sinh, nhiều người bị đau bụng sau khi ăn.",
        "Cơ sở bán thực phẩm không rõ nguồn gốc trên đường {street}.",
    )),
    Issue("cho", "ATTP", 2, WARD, None, (
        "Hàng rong bán thực phẩm không đảm bảo vệ sinh ở chợ gần {street}.",
    )),
    Issue("cap", "VIEN_THONG", 4, "VNPT", None, (
        "Cáp viễn thông trên đường {street} bị đứt, treo lơ lửng sát mặt đường.",
        "Dây cáp internet chằng chịt trên cột điện đường {street}.",
    )),
    Issue("quang_cao", "KHAC", 2, "SVHTT", None, (
        "Biển quảng cáo trái phép che khuất biển báo trên đường {street}.",
        "Băng rôn quảng cáo dán tràn lan trên cột điện {street}.",
    )),
    Issue("cong_vien", "KHAC", 2, "HEPCO", "UBNDHT", (
        "Ghế đá, đồ chơi trong công viên gần {street} bị hỏng nhiều tháng nay.",
    )),
    Issue("bhxh", "KHAC", 1, "BHXH", None, (
        "Doanh nghiệp trên đường {street} nợ bảo hiểm xã hội của người lao động.",
    )),
    Issue("hang_gia", "KHAC", 1, "SCT", None, (
        "Cửa hàng trên đường {street} bán hàng giả, hàng không rõ nguồn gốc.",
    )),
]  # fmt: skip
ISSUE_BY_KEY = {issue.key: issue for issue in ISSUES}
# Some residents say only what kind of problem it is, not what exactly: the text then names the topic.
VAGUE = (
    "Tình trạng {topic} ở {street} kéo dài, đề nghị kiểm tra xử lý.",
    "Có vấn đề về {topic} tại khu vực {street}, mong cơ quan chức năng vào cuộc.",
    "Phản ánh về {topic} trên đường {street}.",
)
TOPICS = {code: name.lower() for code, name, *_ in data.CATEGORIES}


@dataclass(frozen=True)
class HistoricalReport:
    key: int
    at: datetime
    issue: str
    text: str
    category: str | None  # as the resident chose it (may be empty or wrong)
    true_category: str
    area: str
    lat: float
    lon: float
    body: str  # the right body
    label: str  # the body the history teaches (the right one, but for rare mistakes)
    first_dispatch: str  # where the operator sent it first
    duplicate_of: int | None


def _wards() -> dict[str, dict]:
    collection = json.loads(DEMO_AREAS.read_text(encoding="utf-8"))
    return {f["properties"]["code"]: f["geometry"] for f in collection["features"]}


def right_body(issue: Issue, ward: str) -> str:
    body = issue.town_body if ward in TOWN_WARDS and issue.town_body else issue.body
    return ward if body == WARD else body


def _noisy(rng: random.Random, text: str) -> str:
    if rng.random() < 0.25:  # typed without diacritics, as in many chat messages
        text = fold(text) if rng.random() < 0.5 else fold(text).capitalize()
    if rng.random() < 0.15 and len(text) > 20:  # one typo
        i = rng.randrange(1, len(text) - 1)
        text = text[:i] + text[i + 1 :] if rng.random() < 0.5 else text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text


def _near(rng: random.Random, shapes: list[Polygon], lat: float, lon: float, metres: float) -> tuple[float, float]:
    for _ in range(50):
        dlat = rng.gauss(0, metres) / EARTH_RADIUS_M * 57.29578
        dlon = rng.gauss(0, metres) / EARTH_RADIUS_M * 57.29578 / 0.96
        if inside(shapes, lon + dlon, lat + dlat):
            return lat + dlat, lon + dlon
    return lat, lon


def generate(count: int = 20_000, *, seed: int = 6, start: datetime | None = None) -> list[HistoricalReport]:
    rng = random.Random(seed)
    wards = _wards()
    shapes = {code: polygons(geometry) for code, geometry in wards.items()}
    start = start or datetime(2025, 1, 1, tzinfo=UTC)
    step = timedelta(days=365) / count
    streets = {w: (TOWN_STREETS if w in TOWN_WARDS else data.STREETS) for w in wards}
    anchors = {(w, s): random_point(g, rng) for w, g in sorted(wards.items()) for s in streets[w]}
    categories = [c[0] for c in data.CATEGORIES]
    defaults = {c[0]: c[3] for c in data.CATEGORIES}
    history: list[HistoricalReport] = []
    ward_codes, ward_weights = list(WARD_WEIGHTS), list(WARD_WEIGHTS.values())
    for key in range(count):
        at = start + step * key + timedelta(seconds=rng.uniform(0, step.total_seconds()))
        original = None
        if rng.random() < 0.1:  # the same problem again, reported by someone else
            recent = [h for h in history[-400:] if h.duplicate_of is None and at - h.at < timedelta(days=5)]
            original = rng.choice(recent) if recent else None
        if original is not None:
            issue = ISSUE_BY_KEY[original.issue]
            ward, lat, lon = original.area, *_near(rng, shapes[original.area], original.lat, original.lon, 40)
            street = _street_in(original.text, streets[ward]) or rng.choice(streets[ward])
        else:
            issue = rng.choices(ISSUES, weights=[i.weight for i in ISSUES])[0]
            ward = rng.choices(ward_codes, weights=ward_weights)[0]
            pool = [s for s in MAIN_STREETS if s in streets[ward]] if issue.main_road else []
            street = rng.choice(pool or streets[ward])
            lat, lon = _near(rng, shapes[ward], *anchors[(ward, street)], 150)
        wording = rng.choice(VAGUE) if rng.random() < 0.12 else rng.choice(issue.texts)
        text = rng.choice(OPENINGS) + wording.format(street=street, n=rng.randint(2, 120), topic=TOPICS[issue.category])
        text = _noisy(rng, text + rng.choice(CLOSINGS))
        roll = rng.random()
        category = issue.category if roll < 0.8 else (None if roll < 0.92 else rng.choice(categories))
        body = right_body(issue, ward)
        label = body if rng.random() > 0.02 else rng.choice([*DISTRICT.values(), "SXD", "HEPCO"])
        default = defaults.get(category or "")
        first = (
            default
            if default and rng.random() < 0.75
            else (body if rng.random() < 0.85 else rng.choice(["SXD", "UBNDTP"]))
        )
        history.append(
            HistoricalReport(key, at, issue.key, text, category, issue.category, ward, lat, lon, body, label, first,
                             original.key if original else None)
        )  # fmt: skip
    return history


def _street_in(text: str, streets: list[str]) -> str | None:
    folded = fold(text)
    return next((s for s in streets if fold(s) in folded), None)


def default_body(category: str | None) -> str | None:
    return {c[0]: c[3] for c in data.CATEGORIES}.get(category or "")
