"""Words of Huế residents' reports: real streets and wards, per-category complaints, officers' results.

Everything here is NFC (what intake stores). `nfd()` turns a text into the decomposed form that some
phone keyboards send, for the request bodies and search queries the benchmark sends.
"""

from __future__ import annotations

import random
import unicodedata

from paht.demo import data as demo

STREETS: tuple[str, ...] = (
    *demo.STREETS,
    "Nguyễn Sinh Cung",
    "Lý Thường Kiệt",
    "Trần Phú",
    "Phan Bội Châu",
    "Nguyễn Tri Phương",
    "Bến Nghé",
    "Võ Thị Sáu",
    "Chu Văn An",
    "Đội Cung",
    "Ngô Quyền",
    "Nguyễn Chí Thanh",
    "Nguyễn Văn Cừ",
    "Nguyễn Lộ Trạch",
    "Bùi Thị Xuân",
    "Kim Long",
    "Lê Thánh Tôn",
    "Tăng Bạt Hổ",
    "Trịnh Công Sơn",
    "Nguyễn Hoàng",
    "An Dương Vương",
    "Thạch Hãn",
    "Tôn Đức Thắng",
    "Hoàng Hoa Thám",
    "Nhật Lệ",
    "Đặng Thái Thân",
    "Huỳnh Thúc Kháng",
    "Lê Huân",
    "Hà Nội",
    "Nguyễn Du",
    "Phạm Ngũ Lão",
)

WARDS: tuple[str, ...] = (
    "Phú Hội",
    "Vĩnh Ninh",
    "Phú Nhuận",
    "Thuận Hoà",
    "Phú Bài",
    "Phước Vĩnh",
    "Trường An",
    "An Cựu",
    "Xuân Phú",
    "Vỹ Dạ",
    "Phú Hậu",
    "Phú Hiệp",
    "Tây Lộc",
    "Thuận Lộc",
    "Thuận Thành",
    "Đông Ba",
    "Kim Long",
    "Hương Sơ",
    "An Đông",
    "An Tây",
    "Thuỷ Biều",
    "Thuỷ Xuân",
    "Phường Đúc",
    "Gia Hội",
    "Thuỷ Vân",
    "An Hoà",
)

LANDMARKS: tuple[str, ...] = (
    "chợ Đông Ba",
    "cầu Trường Tiền",
    "Đại Nội",
    "ga Huế",
    "bến xe phía Nam",
    "trường THPT Quốc Học",
    "bệnh viện Trung ương Huế",
    "công viên Thương Bạc",
    "cầu Phú Xuân",
    "sân vận động Tự Do",
    "chợ An Cựu",
    "trường Đại học Huế",
)

# Clauses that lengthen a complaint to the 15–60 syllables residents write.
EXTRAS: tuple[str, ...] = (
    "Người dân đã phản ánh nhiều lần nhưng chưa được xử lý.",
    "Đề nghị cơ quan chức năng sớm kiểm tra, khắc phục.",
    "Sự việc kéo dài đã {days} ngày nay.",
    "Vị trí cụ thể: kiệt {lane} đường {street}, gần {landmark}.",
    "Khu vực này gần {landmark} nên có rất nhiều người qua lại.",
    "Buổi tối không có đèn, trẻ em đi học về rất nguy hiểm.",
    "Mong chính quyền phường {ward} quan tâm giải quyết dứt điểm.",
    "Tình trạng này ảnh hưởng đến sinh hoạt của hàng chục hộ dân.",
    "Xin gửi kèm hình ảnh hiện trường để các cơ quan nắm rõ.",
)

RESULTS: tuple[str, ...] = (
    *demo.RESULTS,
    "Đơn vị đã phối hợp với tổ dân phố kiểm tra; hiện trường đã được khắc phục trong ngày.",
    "Đã thay thế bóng đèn và dây dẫn hư hỏng; hệ thống chiếu sáng hoạt động bình thường.",
    "Đã nạo vét cống thoát nước, khơi thông dòng chảy; khu vực không còn ngập.",
    "Đã xử phạt vi phạm hành chính và yêu cầu tháo dỡ phần lấn chiếm.",
)

RETURN_REASONS: tuple[str, ...] = (
    "Không thuộc thẩm quyền của đơn vị.",
    "Vị trí phản ánh thuộc địa bàn phường khác quản lý.",
    "Nội dung thuộc lĩnh vực của doanh nghiệp cung cấp dịch vụ.",
)
SEND_BACK_REASONS: tuple[str, ...] = (
    "Cần bổ sung hình ảnh sau khi khắc phục.",
    "Kết quả chưa nêu rõ thời gian hoàn thành.",
)
REJECT_REASONS: tuple[str, ...] = (
    "Nội dung không thuộc phạm vi phản ánh hiện trường.",
    "Không đủ thông tin để xác minh (thiếu địa điểm).",
    "Nội dung mang tính khiếu nại, đề nghị gửi theo đường đơn thư.",
)
RATING_COMMENTS: tuple[str, ...] = (
    "Xử lý nhanh, cảm ơn các anh chị.",
    "Đã khắc phục nhưng chưa triệt để.",
    "Rất hài lòng với kết quả.",
    "Xử lý chậm so với cam kết.",
)
FAMILY_NAMES = demo.FAMILY_NAMES
GIVEN_NAMES = (*demo.GIVEN_NAMES, "Thị Mai", "Công Phúc", "Ngọc Lan", "Hữu Nghĩa", "Thị Thu", "Văn Tài")


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def complaint(rng: random.Random, category_code: str) -> tuple[str, str, str, str]:
    """A resident's report in one category: (title, description, street, ward)."""
    street, ward = rng.choice(STREETS), rng.choice(WARDS)
    templates = demo.DESCRIPTIONS.get(category_code) or demo.DESCRIPTIONS["KHAC"]
    first = rng.choice(templates).format(street=street, ward=ward)
    parts = [first]
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        parts.append(
            rng.choice(EXTRAS).format(
                days=rng.randint(2, 30),
                lane=rng.randint(1, 120),
                street=street,
                landmark=rng.choice(LANDMARKS),
                ward=ward,
            )
        )
    title = first.split(",")[0].rstrip(".")[:120]
    return title, " ".join(parts), street, ward


def person(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}"
