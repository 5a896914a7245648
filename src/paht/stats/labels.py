"""The statistics pages' words, Vietnamese first and English second.

Templates call `tr("English text")`. Keys with a prefix ("stage:resolve", "def:ack") name a label whose
English is written here too. Kept beside the pages they serve so that the definitions shown to the public
and docs/statistics.md are edited together.
"""

from __future__ import annotations

from collections.abc import Callable

VI: dict[str, str] = {
    "Statistics": "Thống kê",
    "How every body handles what it is sent": "Kết quả xử lý phản ánh của các cơ quan, đơn vị",
    "Public figures from the event log of every report: how fast and how well the IOC and each handling body work. Times are in Huế time.": "Số liệu công khai tính từ nhật ký xử lý của từng phản ánh: IOC và từng cơ quan, đơn vị xử lý nhanh và tốt đến đâu. Thời gian theo giờ Việt Nam.",  # noqa: E501
    "IOC dashboard": "Bảng điều hành IOC",
    "Our bodies' dashboard": "Bảng theo dõi của đơn vị",
    "Public statistics": "Thống kê công khai",
    "Period": "Kỳ",
    "Dates below": "Theo ngày chọn dưới đây",
    "From": "Từ ngày",
    "To": "Đến ngày",
    "Per": "Theo",
    "Category": "Lĩnh vực",
    "All categories": "Tất cả lĩnh vực",
    "Area": "Khu vực",
    "All areas": "Tất cả khu vực",
    "Show": "Xem",
    "Showing the last 30 days instead.": "Đang hiển thị 30 ngày gần nhất.",
    "days": "ngày",
    "Summary": "Tổng quan",
    "Reports received": "Phản ánh tiếp nhận",
    "Received": "Nhận xử lý",
    "Resolved": "Đã xử lý",
    "Acknowledged on time": "Tiếp nhận đúng hạn",
    "Acknowledged on time (%)": "Tiếp nhận đúng hạn (%)",
    "Resolved on time": "Xử lý đúng hạn",
    "Resolved on time (%)": "Xử lý đúng hạn (%)",
    "Average rating": "Điểm hài lòng trung bình",
    "Overdue now": "Đang quá hạn",
    "overdue": "quá hạn",
    "Download CSV": "Tải CSV",
    "Download Excel (XLSX)": "Tải Excel (XLSX)",
    "The IOC: receiving, dispatching, publishing": "IOC: tiếp nhận, chuyển xử lý, công khai",
    "Dispatches": "Lượt chuyển xử lý",
    "dispatched on time": "chuyển đúng hạn",
    "median": "trung vị",
    "Misroute rate": "Tỷ lệ chuyển nhầm",
    "Rejected / duplicates": "Không tiếp nhận / trùng lặp",
    "Published": "Đã công khai",
    "time to publish, median": "thời gian công khai, trung vị",
    "on time": "đúng hạn",
    "Results sent back by the IOC's editors": "Kết quả bị IOC trả lại để biên tập",
    "Per body": "Theo cơ quan, đơn vị",
    "Median and p90 are read from fixed time buckets; on time means within the step's deadline.": "Trung vị và p90 tính từ các khoảng thời gian cố định; đúng hạn là trong thời hạn của bước.",  # noqa: E501
    "Time to acknowledge (median / p90)": "Thời gian tiếp nhận (trung vị / p90)",
    "Returned": "Trả lại",
    "Time to resolve (median / p90)": "Thời gian xử lý (trung vị / p90)",
    "Time to approve (median)": "Thời gian phê duyệt (trung vị)",
    "Leaders' send-back rate": "Tỷ lệ lãnh đạo trả lại",
    "Satisfaction": "Mức độ hài lòng",
    "Ranking": "Xếp hạng",
    "Score 0–100 from acknowledged on time, resolved on time, approved on time and satisfaction, with these weights:": "Điểm 0–100 từ tỷ lệ tiếp nhận đúng hạn, xử lý đúng hạn, phê duyệt đúng hạn và mức độ hài lòng, với trọng số:",  # noqa: E501
    "Bodies that received fewer than %(n)s reports in the period are not ranked.": "Đơn vị nhận dưới %(n)s phản ánh trong kỳ không được xếp hạng.",  # noqa: E501
    "Score": "Điểm",
    "No body has enough reports in this period to be ranked.": "Chưa đơn vị nào đủ số phản ánh trong kỳ để xếp hạng.",
    "Not ranked": "Chưa xếp hạng",
    "By week": "Theo tuần",
    "By month": "Theo tháng",
    "Received, resolved and on-time rates by week": "Số nhận, số đã xử lý và tỷ lệ đúng hạn theo tuần",
    "Received, resolved and on-time rates by month": "Số nhận, số đã xử lý và tỷ lệ đúng hạn theo tháng",
    "Ratings": "Lượt đánh giá",
    "Rated 4 or 5": "Đánh giá 4–5",
    "Number of ratings of each value": "Số lượt đánh giá theo từng mức",
    "How the figures are defined": "Cách tính các chỉ số",
    "Counted on": "Ngày tính",
    "Median and p90": "Trung vị và p90",
    "Clocks running now": "Thời hạn đang chạy",
    "Responsible": "Trách nhiệm",
    "No clock is running.": "Không có thời hạn nào đang chạy.",
    "Clocks running by step": "Thời hạn đang chạy theo bước",
    "Report": "Phản ánh",
    "Step": "Bước",
    "Due": "Hạn",
    "Overdue by": "Quá hạn",
    "Nothing is overdue.": "Không có phản ánh quá hạn.",
    "The most overdue are shown; the full list is in the API:": "Đang hiển thị các phản ánh quá hạn lâu nhất; danh sách đầy đủ qua API:",  # noqa: E501
    "Misroutes: reports returned by the bodies": "Chuyển nhầm: phản ánh bị đơn vị trả lại",
    "Return rate": "Tỷ lệ trả lại",
    "No body returned a report in this period.": "Không đơn vị nào trả lại phản ánh trong kỳ.",
    "Channel mix": "Cơ cấu kênh tiếp nhận",
    "Reports received by channel": "Phản ánh tiếp nhận theo kênh",
    "Volume by hour of day": "Số phản ánh theo giờ trong ngày",
    "Reports received by hour of day": "Phản ánh tiếp nhận theo giờ trong ngày",
    "All bodies": "Tất cả đơn vị",
    "Reports (XLSX, without personal data)": "Danh sách phản ánh (XLSX, không có thông tin cá nhân)",
    "Reports (CSV, without personal data)": "Danh sách phản ánh (CSV, không có thông tin cá nhân)",
    "Your body and the bodies below it.": "Đơn vị của bạn và các đơn vị trực thuộc.",
    "Read-only: oversight.": "Chỉ xem: giám sát.",
    "IOC": "IOC",
    "preset:week": "7 ngày qua",
    "preset:month": "30 ngày qua",
    "preset:quarter": "Quý qua (91 ngày)",
    "preset:year": "Năm qua (365 ngày)",
    "group:organization": "Cơ quan, đơn vị",
    "group:category": "Lĩnh vực",
    "group:area": "Khu vực",
    "component:acknowledge": "Tiếp nhận đúng hạn",
    "component:resolve": "Xử lý đúng hạn",
    "component:approve": "Phê duyệt đúng hạn",
    "component:satisfaction": "Hài lòng",
    "stage:dispatch": "Chuyển xử lý",
    "stage:acknowledge": "Tiếp nhận",
    "stage:resolve": "Xử lý",
    "stage:approve": "Phê duyệt",
    "stage:publish": "Công khai",
    "channel:app": "Ứng dụng Hue-S",
    "channel:web": "Cổng thông tin",
    "channel:hotline": "Đường dây nóng",
    "channel:facebook": "Facebook",
    "channel:zalo": "Zalo",
    "channel:email": "Thư điện tử",
    "channel:open311": "Open311",
    "def:day": "Mỗi sự kiện được tính vào ngày (giờ Việt Nam) nó xảy ra; số chuyển nhầm tính vào ngày chuyển xử lý.",
    "def:received": "Với đơn vị: số lượt được IOC chuyển xử lý (kể cả mở lại). Một phản ánh bị trả lại rồi chuyển đơn vị khác được tính cho cả hai đơn vị.",  # noqa: E501
    "def:ack": "Tiếp nhận (hoặc trả lại) trong 30 phút kể từ khi được chuyển.",
    "def:resolve": "Kết quả đầu tiên được gửi trong thời hạn của lĩnh vực, tính theo ngày làm việc (trừ cuối tuần, ngày lễ, ngoài giờ hành chính); phản ánh khẩn tính theo giờ liên tục.",  # noqa: E501
    "def:approve": "Từ khi cán bộ gửi kết quả đến khi lãnh đạo phê duyệt hoặc trả lại.",
    "def:percentiles": "Trung vị: một nửa số bước nhanh hơn; p90: 90% số bước nhanh hơn. Tính từ các khoảng thời gian cố định nên sai số không quá một khoảng.",  # noqa: E501
    "def:returned": "Số lần đơn vị trả phản ánh về IOC vì không thuộc thẩm quyền; tỷ lệ = trả lại / nhận xử lý.",
    "def:misroute": "Tỷ lệ lượt IOC chuyển xử lý trong kỳ mà sau đó bị đơn vị trả lại.",
    "def:sendback": "Tỷ lệ quyết định của lãnh đạo là trả lại cho cán bộ làm lại.",
    "def:overdue": "Các thời hạn đang chạy đã quá hạn ở thời điểm xem; không phụ thuộc kỳ.",
    "def:satisfaction": "Đánh giá 1–5 của người phản ánh về kết quả đã công khai, tính cho đơn vị xử lý.",
    "def:ranking": "Điểm tổng hợp có trọng số của các tỷ lệ đúng hạn và mức độ hài lòng; đơn vị có ít phản ánh không được xếp hạng.",  # noqa: E501
}

EN: dict[str, str] = {
    "preset:week": "Last 7 days",
    "preset:month": "Last 30 days",
    "preset:quarter": "Last quarter (91 days)",
    "preset:year": "Last year (365 days)",
    "group:organization": "Handling body",
    "group:category": "Category",
    "group:area": "Area",
    "component:acknowledge": "Acknowledged on time",
    "component:resolve": "Resolved on time",
    "component:approve": "Approved on time",
    "component:satisfaction": "Satisfaction",
    "stage:dispatch": "Dispatch",
    "stage:acknowledge": "Acknowledge",
    "stage:resolve": "Resolve",
    "stage:approve": "Approve",
    "stage:publish": "Publish",
    "channel:app": "Hue-S app",
    "channel:web": "Web portal",
    "channel:hotline": "Hotline",
    "channel:facebook": "Facebook",
    "channel:zalo": "Zalo",
    "channel:email": "E-mail",
    "channel:open311": "Open311",
    "def:day": "Each event counts on the local day it happened; a misroute counts on the day of its dispatch.",
    "def:received": "For a body: the times the IOC dispatched a report to it (reopenings included). A report returned and re-dispatched counts for both bodies.",  # noqa: E501
    "def:ack": "Acknowledged (or returned) within 30 minutes of the dispatch.",
    "def:resolve": "The first result submitted within the category's deadline, in working days (weekends, holidays and out-of-office hours excluded); urgent reports count hours around the clock.",  # noqa: E501
    "def:approve": "From the officer's result to the leader's decision: approve or send back.",
    "def:percentiles": "Median: half the steps were faster; p90: 90 % were faster. Read from fixed time buckets, so accurate to within one bucket.",  # noqa: E501
    "def:returned": "Reports the body sent back to the IOC as not its responsibility; rate = returned / received.",
    "def:misroute": "The share of the IOC's dispatches in the period that a body later returned.",
    "def:sendback": "The share of the leaders' decisions that sent the result back to be redone.",
    "def:overdue": "Running deadlines already past at the time of viewing; independent of the period.",
    "def:satisfaction": "The reporters' 1–5 ratings of published results, counted for the handling body.",
    "def:ranking": "A weighted score of the on-time rates and satisfaction; bodies with few reports are not ranked.",
    "Bodies that received fewer than %(n)s reports in the period are not ranked.": "Bodies that received fewer than %(n)s reports in the period are not ranked.",  # noqa: E501
}


def translator(lang: str) -> Callable[[str], str]:
    table = EN if lang == "en" else VI

    def tr(message: str) -> str:
        return table.get(message, message)

    return tr
