"""The demo city: Huế's IOC, its handling bodies, categories and the words of its residents' reports."""

from __future__ import annotations

# (code, name, English name, kind, parent code)
ORGANIZATIONS: list[tuple[str, str, str, str, str | None]] = [
    (
        "IOC",
        "Trung tâm Giám sát, điều hành đô thị thông minh tỉnh",
        "Intelligent Operations Centre",
        "ioc",
        None,
    ),
    ("SXD", "Sở Xây dựng", "Department of Construction", "department", None),
    (
        "STNMT",
        "Sở Tài nguyên và Môi trường",
        "Department of Natural Resources and Environment",
        "department",
        None,
    ),
    ("SGTVT", "Sở Giao thông vận tải", "Department of Transport", "department", None),
    ("SYT", "Sở Y tế", "Department of Health", "department", None),
    ("SCT", "Sở Công Thương", "Department of Industry and Trade", "department", None),
    ("SVHTT", "Sở Văn hoá và Thể thao", "Department of Culture and Sports", "department", None),
    ("UBNDTP", "UBND thành phố Huế", "Huế City People's Committee", "district", None),
    ("UBNDHT", "UBND thị xã Hương Thuỷ", "Hương Thuỷ Town People's Committee", "district", None),
    ("PHUHOI", "UBND phường Phú Hội", "Phú Hội Ward People's Committee", "commune", "UBNDTP"),
    ("VINHNINH", "UBND phường Vĩnh Ninh", "Vĩnh Ninh Ward People's Committee", "commune", "UBNDTP"),
    ("PHUNHUAN", "UBND phường Phú Nhuận", "Phú Nhuận Ward People's Committee", "commune", "UBNDTP"),
    ("THUANHOA", "UBND phường Thuận Hoà", "Thuận Hoà Ward People's Committee", "commune", "UBNDTP"),
    ("PHUBAI", "UBND phường Phú Bài", "Phú Bài Ward People's Committee", "commune", "UBNDHT"),
    ("CATINH", "Công an tỉnh", "Provincial Police", "central_agency", None),
    ("BHXH", "Bảo hiểm xã hội tỉnh", "Provincial Social Insurance", "central_agency", None),
    (
        "HEPCO",
        "Công ty CP Môi trường và Công trình đô thị Huế",
        "Huế Urban Environment and Works JSC",
        "enterprise",
        None,
    ),
    ("HUEWACO", "Công ty CP Cấp nước Thừa Thiên Huế", "Thừa Thiên Huế Water Supply JSC", "enterprise", None),
    ("DIENLUC", "Công ty Điện lực Thừa Thiên Huế", "Thừa Thiên Huế Power Company", "enterprise", None),
    ("VNPT", "VNPT Thừa Thiên Huế", "VNPT Thừa Thiên Huế", "enterprise", None),
]

# (code, name, English name, default body, resolve working days, urgent by default)
CATEGORIES: list[tuple[str, str, str, str | None, int, bool]] = [
    ("RAC_THAI", "Rác thải, vệ sinh môi trường", "Rubbish and street cleaning", "HEPCO", 3, False),
    ("CHIEU_SANG", "Chiếu sáng công cộng", "Street lighting", "HEPCO", 2, False),
    ("CAY_XANH", "Cây xanh đô thị", "Urban trees", "HEPCO", 3, False),
    ("CAP_NUOC", "Cấp nước", "Water supply", "HUEWACO", 2, False),
    ("DIEN", "Cung cấp điện", "Electricity", "DIENLUC", 2, False),
    ("GIAO_THONG", "Hạ tầng giao thông", "Roads and traffic infrastructure", "SGTVT", 5, False),
    ("TRAT_TU_XD", "Trật tự xây dựng", "Building control", "SXD", 10, False),
    ("NGAP_UNG", "Ngập úng, thoát nước", "Flooding and drainage", "SXD", 2, True),
    ("DAT_DAI", "Đất đai", "Land", "STNMT", 15, False),
    ("O_NHIEM", "Ô nhiễm môi trường", "Pollution", "STNMT", 7, False),
    ("ANTT", "An ninh, trật tự", "Public order and security", "CATINH", 2, True),
    (
        "LAN_CHIEM",
        "Lấn chiếm lòng đường, vỉa hè",
        "Encroachment on streets and pavements",
        "UBNDTP",
        5,
        False,
    ),
    ("ATTP", "An toàn thực phẩm", "Food safety", "SYT", 5, False),
    ("VIEN_THONG", "Viễn thông, cáp treo", "Telecoms and overhead cables", "VNPT", 3, False),
    ("KHAC", "Lĩnh vực khác", "Other", None, 5, False),
]

STREETS = [
    "Lê Lợi",
    "Hùng Vương",
    "Trần Hưng Đạo",
    "Nguyễn Huệ",
    "Bà Triệu",
    "Điện Biên Phủ",
    "Lê Duẩn",
    "Phan Đình Phùng",
    "Hai Bà Trưng",
    "Đống Đa",
    "Nguyễn Trãi",
    "Chi Lăng",
    "Mai Thúc Loan",
    "Đinh Tiên Hoàng",
    "Nguyễn Công Trứ",
    "Phạm Văn Đồng",
    "Tố Hữu",
    "Võ Văn Kiệt",
    "Ngự Bình",
    "Trường Chinh",
]
WARDS = ["Phú Hội", "Vĩnh Ninh", "Phú Nhuận", "Thuận Hoà", "Phú Bài", "Vĩnh Ninh", "Phú Hội"]

# What residents write, per category; {street} and {ward} are filled in.
DESCRIPTIONS: dict[str, list[str]] = {
    "RAC_THAI": [
        "Rác thải tập kết tràn ra lòng đường {street}, bốc mùi hôi thối nhiều ngày chưa được thu gom.",
        "Điểm tập kết rác trước số nhà trên đường {street} không được dọn, ruồi nhặng nhiều.",
    ],
    "CHIEU_SANG": [
        "Đèn đường trên đoạn {street} (phường {ward}) bị hỏng, buổi tối rất tối và nguy hiểm.",
        "Cột đèn chiếu sáng đường {street} chập chờn, lúc sáng lúc tắt.",
    ],
    "CAY_XANH": [
        "Cây xanh trên đường {street} bị nghiêng sau mưa bão, có nguy cơ đổ vào nhà dân.",
        "Cành cây khô lớn trên vỉa hè {street} sắp gãy, đề nghị cắt tỉa.",
    ],
    "CAP_NUOC": [
        "Đường ống nước bị vỡ tại {street}, nước chảy lênh láng ra đường.",
        "Khu vực phường {ward} mất nước sinh hoạt từ sáng, chưa có thông báo.",
    ],
    "DIEN": [
        "Dây điện bị võng thấp trên đường {street}, xe tải đi qua rất nguy hiểm.",
        "Trạm biến áp ở phường {ward} phát ra tiếng nổ lớn, khu dân cư mất điện.",
    ],
    "GIAO_THONG": [
        "Mặt đường {street} xuất hiện ổ gà lớn, nhiều xe máy bị ngã.",
        "Nắp hố ga trên đường {street} bị mất, rất nguy hiểm cho người đi đường.",
    ],
    "TRAT_TU_XD": [
        "Công trình xây dựng trên đường {street} lấn ra ngoài chỉ giới, không có biển báo giấy phép.",
        "Nhà dân tại phường {ward} xây thêm tầng trái phép vào ban đêm.",
    ],
    "NGAP_UNG": [
        "Đường {street} ngập sâu sau cơn mưa, cống thoát nước bị tắc.",
        "Khu dân cư phường {ward} ngập nước, nước tràn vào nhà.",
    ],
    "DAT_DAI": [
        "Đất công cạnh đường {street} bị rào chiếm làm bãi giữ xe.",
        "Tranh chấp ranh giới đất tại phường {ward} kéo dài chưa được giải quyết.",
    ],
    "O_NHIEM": [
        "Cơ sở sản xuất gần đường {street} xả khói đen và nước thải ra sông.",
        "Quán karaoke ở phường {ward} gây ồn ào quá 23 giờ mỗi đêm.",
    ],
    "ANTT": [
        "Nhóm thanh niên tụ tập đua xe trên đường {street} vào ban đêm.",
        "Có người lạ thường xuyên trộm cắp xe đạp ở khu vực phường {ward}.",
    ],
    "LAN_CHIEM": [
        "Hàng quán bày bán lấn chiếm hết vỉa hè đường {street}, người đi bộ phải xuống lòng đường.",
        "Bãi giữ xe tự phát chiếm lòng đường {street} gây ùn tắc giờ cao điểm.",
    ],
    "ATTP": [
        "Quán ăn trên đường {street} mất vệ sinh, nhiều người bị đau bụng sau khi ăn.",
        "Cơ sở bán thực phẩm không rõ nguồn gốc tại chợ phường {ward}.",
    ],
    "VIEN_THONG": [
        "Cáp viễn thông trên đường {street} bị đứt, treo lơ lửng sát mặt đường.",
        "Tủ cáp tại phường {ward} bị mở, dây điện thoại chằng chịt mất mỹ quan.",
    ],
    "KHAC": [
        "Biển báo giao thông trên đường {street} bị che khuất bởi biển quảng cáo.",
        "Ghế đá công viên ở phường {ward} bị hỏng nhiều tháng nay.",
    ],
}

RESULTS = [
    "Đơn vị đã cử cán bộ kiểm tra hiện trường và khắc phục xong vào ngày hôm sau.",
    "Đã phối hợp với UBND phường xử lý dứt điểm, hiện trường đã được dọn sạch.",
    "Đã sửa chữa, thay thế thiết bị hư hỏng; tình trạng đã trở lại bình thường.",
    "Đã lập biên bản vi phạm hành chính và yêu cầu chủ cơ sở khắc phục.",
]
FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi"]
GIVEN_NAMES = ["Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thị Hoa", "Đức Huy", "Thanh Hương", "Văn Lâm"]
