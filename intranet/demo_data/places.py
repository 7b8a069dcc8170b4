"""Believable addresses, postcodes and phone numbers in Taiwan, mainland China, Japan and the US."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Place:
    """One district: where a customer sits, and how its phones and postcodes look."""

    region: str
    city: str
    district: str
    postcode: str
    area: str  # dialling prefix: "02", "+86 21", "+81 3", "+1 408"
    prefix: str  # first digits of local numbers there
    length: int  # digits of a local number
    roads: tuple[str, ...]
    country: str  # tw | cn | jp | us


def _tw(region: str, city: str, rows: str) -> list[Place]:
    """Parse 'district zip area prefix length roads…' rows of one Taiwanese city."""
    places = []
    for row in rows.strip().splitlines():
        district, postcode, area, prefix, length, roads = row.split(maxsplit=5)
        places.append(
            Place(
                region,
                city,
                district,
                postcode,
                area,
                prefix,
                int(length),
                tuple(roads.split()),
                "tw",
            )
        )
    return places


TAIWAN: list[Place] = [
    *_tw(
        "北區",
        "台北市",
        """
        中山區 104 02 25 8 中山北路二段 南京東路二段 松江路 民生東路一段
        大安區 106 02 27 8 敦化南路二段 忠孝東路四段 復興南路一段 信義路四段
        信義區 110 02 27 8 松仁路 基隆路一段 信義路五段 松高路
        內湖區 114 02 26 8 瑞光路 內湖路一段 港墘路 堤頂大道二段
        松山區 105 02 27 8 民生東路四段 敦化北路 八德路四段 南京東路五段
        中正區 100 02 23 8 重慶南路一段 羅斯福路二段 館前路 忠孝西路一段
    """,
    ),
    *_tw(
        "北區",
        "新北市",
        """
        板橋區 220 02 29 8 文化路一段 縣民大道二段 中山路一段 四川路二段
        新莊區 242 02 22 8 中正路 思源路 新北大道二段
        三重區 241 02 29 8 重新路四段 中正北路 光復路一段
        中和區 235 02 22 8 中正路 建一路 景平路
        汐止區 221 02 26 8 新台五路一段 大同路二段 康寧街
        土城區 236 02 22 8 中央路三段 自由街 承天路
    """,
    ),
    *_tw(
        "北區",
        "桃園市",
        """
        桃園區 330 03 33 7 中正路 復興路 經國路
        中壢區 320 03 42 7 中華路二段 環中東路 中山東路三段
        龜山區 333 03 32 7 文化一路 萬壽路二段 興華街
        平鎮區 324 03 49 7 環南路 延平路二段
    """,
    ),
    *_tw(
        "北區",
        "新竹市",
        """
        東區 300 03 57 7 光復路二段 關新路 園區二路
    """,
    ),
    *_tw(
        "北區",
        "新竹縣",
        """
        竹北市 302 03 55 7 光明六路 縣政九路 自強南路
    """,
    ),
    *_tw(
        "北區",
        "基隆市",
        """
        仁愛區 200 02 24 8 愛三路 仁一路
    """,
    ),
    *_tw(
        "北區",
        "宜蘭縣",
        """
        宜蘭市 260 03 93 7 中山路三段 舊城西路
    """,
    ),
    *_tw(
        "中區",
        "台中市",
        """
        西屯區 407 04 23 8 台灣大道三段 文心路三段 工業區一路 市政路
        北屯區 406 04 22 8 崇德路二段 文心路四段 東山路一段
        南屯區 408 04 24 8 五權西路二段 公益路二段 大墩路
        大雅區 428 04 25 8 中清路四段 民生路一段
        太平區 411 04 22 8 中山路二段 太平路
        豐原區 420 04 25 8 中正路 三豐路一段
    """,
    ),
    *_tw(
        "中區",
        "彰化縣",
        """
        彰化市 500 04 72 7 中山路二段 民族路 中華西路
        員林市 510 04 83 7 中山路一段 員東路二段
        和美鎮 508 04 75 7 彰美路五段 道周路
    """,
    ),
    *_tw(
        "中區",
        "南投縣",
        """
        南投市 540 049 22 7 中興路 南崗三路
    """,
    ),
    *_tw(
        "中區",
        "苗栗縣",
        """
        苗栗市 360 037 32 6 中正路 為公路
        竹南鎮 350 037 47 6 光復路 公義路
    """,
    ),
    *_tw(
        "中區",
        "雲林縣",
        """
        斗六市 640 05 53 7 大學路三段 雲林路二段
    """,
    ),
    *_tw(
        "南區",
        "台南市",
        """
        東區 701 06 23 7 中華東路三段 長榮路二段 崇學路
        永康區 710 06 20 7 中正南路 中華路 永大路二段
        安平區 708 06 29 7 永華路二段 健康路三段
        新營區 730 06 63 7 中山路 民治路
    """,
    ),
    *_tw(
        "南區",
        "高雄市",
        """
        前鎮區 806 07 33 7 中山二路 成功二路 復興四路
        苓雅區 802 07 33 7 四維三路 中正二路 自強三路
        三民區 807 07 38 7 建工路 九如一路 博愛一路
        鳳山區 830 07 74 7 光遠路 青年路二段 五甲二路
        左營區 813 07 55 7 博愛二路 自由二路
        楠梓區 811 07 36 7 加昌路 德民路
        小港區 812 07 80 7 沿海二路 中鋼路
    """,
    ),
    *_tw(
        "南區",
        "屏東縣",
        """
        屏東市 900 08 73 7 自由路 民生路 廣東路
    """,
    ),
    *_tw(
        "南區",
        "嘉義市",
        """
        西區 600 05 23 7 民族路 友愛路 垂楊路
    """,
    ),
    *_tw(
        "南區",
        "嘉義縣",
        """
        民雄鄉 621 05 22 7 中樂路 建國路二段
    """,
    ),
    *_tw(
        "東區",
        "花蓮縣",
        """
        花蓮市 970 03 83 7 中山路 中正路 國聯一路
    """,
    ),
    *_tw(
        "東區",
        "台東縣",
        """
        台東市 950 089 32 6 中華路一段 更生路
    """,
    ),
]
TAIWAN_BY_REGION: dict[str, list[Place]] = {}
for _place in TAIWAN:
    TAIWAN_BY_REGION.setdefault(_place.region, []).append(_place)

# Mainland: (region, city, district, 6-digit postcode, dialling code, local prefix, roads).
MAINLAND: list[Place] = [
    Place(region, city, district, postcode, area, prefix, 8, tuple(roads.split()), "cn")
    for region, city, district, postcode, area, prefix, roads in (
        ("華東", "上海市", "浦東新區", "200120", "21", "58", "世紀大道 張楊路 陸家嘴環路"),
        ("華東", "上海市", "閔行區", "201100", "21", "64", "虹梅路 莘莊工業區春東路"),
        ("華東", "江蘇省蘇州市", "工業園區", "215021", "512", "62", "星湖街 蘇州大道東 現代大道"),
        ("華東", "江蘇省昆山市", "開發區", "215300", "512", "57", "前進東路 長江南路"),
        ("華東", "浙江省寧波市", "北侖區", "315800", "574", "86", "明州路 新大路"),
        ("華南", "廣東省深圳市", "南山區", "518057", "755", "26", "科技園南區高新南一道 深南大道"),
        ("華南", "廣東省東莞市", "長安鎮", "523850", "769", "85", "長安興發南路 振安中路"),
        (
            "華南",
            "廣東省廣州市",
            "天河區",
            "510620",
            "20",
            "38",
            "天河路 體育東路 珠江新城花城大道",
        ),
        ("華南", "福建省廈門市", "思明區", "361001", "592", "20", "湖濱南路 廈禾路"),
        ("華北", "北京市", "朝陽區", "100020", "10", "65", "建國路 東三環中路"),
        ("華北", "天津市", "濱海新區", "300457", "22", "59", "第三大街 洞庭路"),
    )
]
JAPAN: list[Place] = [
    Place("海外", "東京都", "港區", "", "3", "54", 8, ("芝浦三丁目", "海岸一丁目"), "jp"),
    Place("海外", "大阪府大阪市", "北區", "", "6", "63", 8, ("梅田二丁目", "中之島三丁目"), "jp"),
    Place("海外", "愛知縣名古屋市", "中區", "", "52", "96", 7, ("錦三丁目", "榮二丁目"), "jp"),
]
JAPAN_POSTCODES = {"港區": "〒108-0023", "北區": "〒530-0001", "中區": "〒460-0003"}
# US numbers use the 555-01xx block that is reserved for fiction.
USA: list[Place] = [
    Place("海外", "San Jose, CA", "", "95131", "408", "555", 7, ("N First St", "Zanker Rd"), "us"),
    Place("海外", "Fremont, CA", "", "94538", "510", "555", 7, ("Fremont Blvd", "Kato Rd"), "us"),
    Place(
        "海外", "Irvine, CA", "", "92618", "949", "555", 7, ("Alton Pkwy", "Barranca Pkwy"), "us"
    ),
    Place("海外", "Austin, TX", "", "78758", "512", "555", 7, ("Braker Ln", "Metric Blvd"), "us"),
]


def _digits(rng: random.Random, count: int) -> str:
    """Return count random decimal digits."""
    return str(rng.randrange(10**count)).zfill(count)


def phone(rng: random.Random, place: Place) -> str:
    """A landline at place, always with its area or country code."""
    if place.country == "tw":
        local = place.prefix + _digits(rng, place.length - len(place.prefix))
        head = 4 if place.length == 8 else 3
        number = f"{local[:head]}-{local[head:]}"
        # Both spellings are common on Taiwanese business cards.
        return f"({place.area}){number}" if rng.random() < 0.5 else f"{place.area}-{number}"
    if place.country == "cn":
        local = place.prefix + _digits(rng, 6)
        if rng.random() < 0.6:
            return f"0{place.area}-{local[:4]} {local[4:]}"
        return f"+86 {place.area} {local[:4]} {local[4:]}"
    if place.country == "jp":
        local = place.prefix + _digits(rng, place.length - 2)
        head = 4 if place.length == 8 else 3
        return f"+81 {place.area}-{local[:head]}-{local[head:]}"
    return f"+1 {place.area}-555-01{_digits(rng, 2)}"


def mobile(rng: random.Random, place: Place) -> str:
    """A mobile number of someone working at place."""
    if place.country == "tw":
        return f"09{rng.randrange(10, 90)}-{_digits(rng, 3)}-{_digits(rng, 3)}"
    if place.country == "cn":
        return f"+86 1{rng.choice('35789')}{rng.randrange(10)} {_digits(rng, 4)} {_digits(rng, 4)}"
    if place.country == "jp":
        return f"+81 90-{_digits(rng, 4)}-{_digits(rng, 4)}"
    return f"+1 {place.area}-555-01{_digits(rng, 2)}"


def city_name(rng: random.Random, place: Place) -> str:
    """The city as written, using 台 and 臺 both, as real records do."""
    if place.city[0] == "台" and rng.random() < 0.35:
        return "臺" + place.city[1:]
    return place.city


def address(rng: random.Random, place: Place) -> tuple[str, str]:
    """An (address, postcode) pair at place."""
    road = rng.choice(place.roads)
    number = rng.randrange(1, 400)
    if place.country == "tw":
        floor = f"{rng.randrange(2, 21)}樓" if rng.random() < 0.6 else ""
        lane = f"{rng.randrange(2, 200)}巷" if rng.random() < 0.15 else ""
        sub = f"之{rng.randrange(1, 6)}" if rng.random() < 0.1 else ""
        text = f"{city_name(rng, place)}{place.district}{road}{lane}{number}號{sub}{floor}"
        # Most people write the 3-digit code; newer forms ask for 3+2 digits.
        postcode = place.postcode if rng.random() < 0.6 else place.postcode + _digits(rng, 2)
        return text, postcode
    if place.country == "cn":
        room = f"{rng.randrange(3, 30)}樓{rng.randrange(1, 20):02d}室" if rng.random() < 0.6 else ""
        return f"{place.city}{place.district}{road}{number}號{room}", place.postcode
    if place.country == "jp":
        # Japanese postcodes have 7 digits, which the postcode rules refuse: keep it in the text.
        block = f"{number % 30 + 1}番{number % 20 + 1}號"
        return f"{JAPAN_POSTCODES[place.district]} {place.city}{place.district}{road}{block}", ""
    return f"{number * 10 + 5} {road}, {place.city} {place.postcode}, USA", place.postcode
