"""Word pools (Traditional Chinese) the demo generator draws from."""

from __future__ import annotations


def _split(text: str) -> tuple[str, ...]:
    """Split a 、-separated pool literal into a tuple."""
    return tuple(part for part in text.split("、") if part)


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    """Parse 'char:roman char:roman …' into (char, romanisation) pairs."""
    return tuple(tuple(item.split(":")) for item in text.split())  # type: ignore[misc]


# Two-character brand names are built from two auspicious characters; the romanisation (Wade-Giles,
# as Taiwanese firms spell their domains) gives believable e-mail domains and websites.
BRAND_FIRST = _pairs(
    "宏:hung 鴻:hung 永:yung 長:chang 大:ta 東:tung 南:nan 新:hsin 華:hua 中:chung 台:tai "
    "國:kuo 聯:lien 建:chien 順:shun 昌:chang 興:hsing 泰:tai 金:chin 富:fu 豐:feng 祥:hsiang "
    "瑞:jui 信:hsin 益:yi 德:te 和:ho 光:kuang 明:ming 嘉:chia 佳:chia 美:mei 正:cheng 元:yuan "
    "亞:ya 太:tai 全:chuan 天:tien 三:san 萬:wan 恆:heng 凱:kai 昇:sheng 晟:sheng 億:yi 群:chun "
    "耀:yao 晶:ching 勝:sheng 鼎:ting 源:yuan 協:hsieh 福:fu 裕:yu 慶:ching 成:cheng 立:li "
    "上:shang 友:yu 家:chia 世:shih 英:ying 精:ching 日:jih 進:chin 安:an 啟:chi 冠:kuan "
    "寶:pao 鑫:hsin 璟:ching 崇:chung 坤:kun 茂:mao 振:chen 聖:sheng 奇:chi 盈:ying 銘:ming"
)
BRAND_SECOND = _pairs(
    "達:ta 昌:chang 興:hsing 泰:tai 豐:feng 祥:hsiang 瑞:jui 益:yi 德:te 和:ho 光:kuang 明:ming "
    "發:fa 隆:lung 盛:sheng 成:cheng 通:tung 源:yuan 華:hua 新:hsin 宇:yu 鴻:hung 偉:wei 誠:cheng "
    "信:hsin 聯:lien 亞:ya 利:li 康:kang 元:yuan 峰:feng 揚:yang 勝:sheng 鼎:ting 輝:hui 展:chan "
    "邦:pang 晉:chin 業:yeh 創:chuang 群:chun 進:chin 運:yun 茂:mao 榮:jung 福:fu 佳:chia 美:mei "
    "凱:kai 毅:yi 冠:kuan 威:wei 傑:chieh 陽:yang 銓:chuan 碩:shuo 璽:hsi 禾:ho 錡:chi 昱:yu"
)

# industry -> (name cores, domain suffixes, business scopes); service industries: R1's partners.
INDUSTRIES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "電子零組件": (
        _split("電子、科技、光電、電機、電通、精密電子、電子工業"),
        ("tech", "elec", "opto"),
        _split("被動元件、連接器之製造及買賣、電子零組件批發、印刷電路板組裝、電源供應器製造"),
    ),
    "半導體": (
        _split("半導體、微電子、晶片科技、矽材料"),
        ("semi", "micro"),
        _split("半導體封裝測試材料買賣、晶圓代工設備零件、IC 設計及銷售"),
    ),
    "資訊設備": (
        _split("資訊、電腦、數位科技、網通、資訊系統"),
        ("it", "digital", "net"),
        _split("電腦及周邊設備批發、網路通訊設備買賣、系統整合服務"),
    ),
    "食品": (
        _split("食品、食品工業、農產、油脂、飲料、製菓"),
        ("food", "foods"),
        _split("食品製造及批發、冷凍食品進出口、烘焙原料買賣、飲料製造及經銷"),
    ),
    "紡織": (
        _split("紡織、織造、纖維、染整、成衣"),
        ("textile", "fiber"),
        _split("機能性布料織造、紗線買賣、成衣代工、染整加工"),
    ),
    "機械": (
        _split("機械、精密機械、機電、工業、重工、機械工業"),
        ("machine", "mech", "ind"),
        _split("CNC 工具機製造、自動化設備、包裝機械製造及銷售、產業機械零件加工"),
    ),
    "化工": (
        _split("化學、化工、化學工業、材料科技"),
        ("chem", "material"),
        _split("工業用化學品買賣、塗料及樹脂製造、電子級化學品經銷"),
    ),
    "塑膠": (
        _split("塑膠、塑膠工業、塑化、高分子"),
        ("plastic", "poly"),
        _split("塑膠射出成型、塑膠原料買賣、塑膠包材製造"),
    ),
    "金屬五金": (
        _split("五金、金屬、鋼鐵、螺絲工業、鋼業"),
        ("metal", "steel"),
        _split("螺絲螺帽製造及外銷、鋼材加工買賣、五金工具批發"),
    ),
    "汽車零件": (
        _split("汽車零件、車料、車業、動力科技"),
        ("auto", "motor"),
        _split("汽車售後零件製造、機車零件批發、電動車動力模組"),
    ),
    "醫療器材": (
        _split("醫療器材、生醫、醫材、生技"),
        ("med", "bio"),
        _split("醫療耗材經銷、檢驗試劑買賣、醫療設備維修"),
    ),
    "建材": (
        _split("建材、營造、陶瓷、玻璃"),
        ("build", "ceramic"),
        _split("建築材料批發、磁磚買賣、營造工程、強化玻璃加工"),
    ),
    "家電": (
        _split("電器、家電、照明"),
        ("home", "lighting"),
        _split("小家電製造及銷售、LED 照明產品、家電量販"),
    ),
    "包裝材料": (
        _split("包裝、紙業、印刷、彩藝"),
        ("pack", "paper"),
        _split("紙箱及包裝材料製造、商業印刷、標籤印刷"),
    ),
    "物流": (
        _split("物流、運通、倉儲、海運、報關、通運"),
        ("logistics", "express"),
        _split("國際貨運承攬、倉儲物流、報關服務、陸上運輸"),
    ),
    "貿易": (
        _split("貿易、國際貿易、實業、企業、商事、國際"),
        ("trading", "intl"),
        _split("一般進出口貿易、百貨批發、各類電子產品代理"),
    ),
}
SERVICE_INDUSTRIES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "金融服務": (
        _split("商業銀行、證券、融資租賃、票券金融"),
        ("bank", "finance"),
        _split("存放款及外匯業務、應收帳款融資、設備租賃"),
    ),
    "保險": (
        _split("產物保險、人壽保險、保險經紀人"),
        ("insurance",),
        _split("產物保險、貨物運輸保險、團體保險"),
    ),
    "廣告公關": (
        _split("廣告、公關顧問、行銷傳播、整合行銷"),
        ("ad", "pr"),
        _split("廣告企劃製作、媒體公關、展覽活動策劃"),
    ),
    "法律服務": (
        _split("法律事務所、律師事務所、國際法律事務所"),
        ("law", "legal"),
        _split("公司法務顧問、合約審閱、智慧財產權"),
    ),
    "會計服務": (
        _split("聯合會計師事務所、會計師事務所、記帳士事務所"),
        ("cpa", "acct"),
        _split("財務簽證、稅務規劃、記帳代理"),
    ),
    "徵信調查": (
        _split("徵信、商業徵信、市場研究"),
        ("credit", "research"),
        _split("企業徵信調查、市場調查研究、信用評等"),
    ),
}
# Trade-minded industries a distributor plausibly carries.
DISTRIBUTOR_INDUSTRIES = (
    "電子零組件",
    "資訊設備",
    "食品",
    "化工",
    "塑膠",
    "金屬五金",
    "汽車零件",
    "醫療器材",
    "建材",
    "家電",
    "包裝材料",
    "貿易",
)
SUPPLIER_INDUSTRIES = (
    "電子零組件",
    "半導體",
    "紡織",
    "機械",
    "化工",
    "塑膠",
    "金屬五金",
    "包裝材料",
    "物流",
)
TERMINAL_INDUSTRIES = tuple(INDUSTRIES)

SURNAMES = _pairs(
    "陳:chen 林:lin 黃:huang 張:chang 李:lee 王:wang 吳:wu 劉:liu 蔡:tsai 楊:yang 許:hsu "
    "鄭:cheng 謝:hsieh 洪:hung 郭:kuo 邱:chiu 曾:tseng 廖:liao 賴:lai 徐:hsu 周:chou 葉:yeh "
    "蘇:su 莊:chuang 呂:lu 江:chiang 何:ho 蕭:hsiao 羅:lo 高:kao 潘:pan 簡:chien 朱:chu "
    "鍾:chung 游:yu 彭:peng 詹:chan 胡:hu 施:shih 沈:shen 余:yu 盧:lu 梁:liang 趙:chao 顏:yen "
    "柯:ko 翁:weng 魏:wei 孫:sun 戴:tai"
)
# Common surnames appear more often, as in Taiwan's household registry.
SURNAME_WEIGHTS = tuple(max(1, 30 - i) for i in range(len(SURNAMES)))
GIVEN_MALE_1 = "志建俊家宗冠承柏明文國信昌榮永振世正偉彥勝哲銘進金嘉"
GIVEN_MALE_2 = "明宏豪傑翰宇成賢雄輝民德安緯廷勳華龍誠聰祥鈞"
GIVEN_FEMALE_1 = "淑美雅怡佩惠玉秀麗婉欣詩佳靜筱宜慧心品"
GIVEN_FEMALE_2 = "芬玲婷君珍華如萍慧雯娟真萱琪穎蓉潔瑜"

JP_SURNAMES = _split("田中、佐藤、鈴木、高橋、渡邊、山本、中村、小林、加藤、山田、松本、井上")
JP_GIVEN = _split("一郎、健太、浩二、直樹、大輔、和也、美穗、裕子、真理子、聰")
JP_BRANDS = _pairs(
    "東洋:toyo 大和:yamato 日進:nisshin 北陸:hokuriku 三和:sanwa 丸山:maruyama 新興:shinko "
    "昭和:showa 富岳:fugaku 瀨戶:seto 中央:chuo 東邦:toho 關西:kansai 平和:heiwa 旭日:kyokujitsu "
    "千代田:chiyoda 第一:daiichi 光洋:koyo 三協:sankyo 太陽:taiyo 菱和:ryowa 大成:taisei "
    "協和:kyowa 朝日:asahi"
)
JP_CORES = _split("精機、商事、電子、化學、工業、產業、物產、電機、製作所、興業、貿易、樹脂")
US_FIRST = _split("Michael、Sarah、David、Jennifer、Kevin、Emily、Brian、Lisa、Daniel、Karen")
US_LAST = _split("Chen、Johnson、Miller、Nguyen、Garcia、Smith、Lee、Brown、Patel、Wilson")
US_BRANDS = _split(
    "Pacific、Summit、Lakeview、Redwood、Evergreen、Silverline、Northstar、Bayside、Keystone、"
    "Cascade、Sierra、Harbor、Granite、Liberty、Meridian、Orchard、Prairie、Riverbend、Sunrise、Westgate"
)
US_CORES = _split(
    "Components、Electronics、Supply、Trading、Industries、Foods、Materials、Devices、Systems、"
    "Distribution、Imports、Technologies"
)
US_FORMS = ("Inc.", "LLC", "Corp.")

PERSONALITY = _split(
    "個性爽朗，重義氣、謹慎細心，重視數據、作風強勢，決策明快、溫和好溝通、急性子，講求效率、"
    "保守穩健，不輕易改變供應商、健談，喜歡交朋友、重視承諾，說到做到、精打細算，議價能力強、"
    "低調務實，不喜應酬"
)
HOBBIES = _split(
    "高爾夫、登山、品茶、釣魚、棒球、書法、騎單車、紅酒、攝影、出國旅遊、慢跑、圍棋、唱歌、"
    "收藏茶壺、馬拉松、游泳"
)
FAMILY = _split(
    "已婚，育有一子一女、已婚，子女皆在國外求學、單身、已婚，長子在公司任職、已婚，育有兩女、"
    "已婚，太太負責公司財務、已婚，孫子剛出生、離婚，獨自撫養一子"
)
EDUCATION = _split(
    "臺灣大學機械系、成功大學企管碩士、逢甲大學國貿系、政治大學 EMBA、高職機械科、"
    "交通大學電子所、中興大學企管系、淡江大學會計系、台北科技大學化工系、文化大學商學系、"
    "高雄科技大學、東海大學經濟系、美國南加大 MBA"
)
ABILITY = _split(
    "熟悉產品技術，能獨立判斷、財務能力強，重視成本、人脈廣，地方關係深厚、談判能力佳、"
    "管理經驗豐富、執行力強，交辦事項迅速處理、對市場趨勢敏銳、具工程背景，重視規格"
)
# (title, role) — role says whether the person owns, runs or only manages for the customer (R5).
PEOPLE_TITLES = (
    ("董事長", "負責人"),
    ("總經理", "經營者"),
    ("副總經理", "經營者"),
    ("採購經理", "主管"),
    ("財務主管", "主管"),
    ("廠長", "主管"),
    ("業務經理", "主管"),
    ("採購專員", "聯絡人"),
    ("會計", "聯絡人"),
)

CUSTOMER_TYPES = {
    "distributor": _split("一級經銷商、區域經銷商、代理商、批發商、零售通路、系統整合商"),
    "terminal": _split("製造業終端、OEM 客戶、連鎖通路、工程客戶、政府標案客戶、中小企業"),
    "supplier": _split("原料供應商、零件供應商、代工廠、設備供應商"),
    "service": _split("往來銀行、法律顧問、會計師、廣告公關、保險公司、徵信機構"),
}

# region -> where a customer there plausibly serves
SERVICE_AREAS = {
    "北區": _split("全台、北台灣、大台北地區、桃竹苗、北北基"),
    "中區": _split("全台、中南部、中彰投、桃竹苗、雲林以北"),
    "南區": _split("全台、中南部、雲嘉南、高屏地區、南台灣"),
    "東區": _split("花東、花蓮縣全境、全台"),
    "華東": _split("華東地區、長三角、全中國"),
    "華南": _split("華南地區、珠三角、全中國"),
    "華北": _split("京津冀、華北地區、全中國"),
    "海外": _split("日本全國、北美地區、亞太地區、全球"),
}
SALES_CAPACITY = _split(
    "業務人員{n}名，月出貨約{m}萬元、自有門市{n}家，經銷據點{m}處、年銷售能力約{m}萬元、"
    "業務{n}人，涵蓋主要工業區"
)
POTENTIAL = _split(
    "高：新廠房明年投產、中：市場穩定，成長有限、低：產業萎縮中、高：積極布局電動車供應鏈、"
    "中：正在評估擴產、高：剛取得大型標案、中：第二代接班，方向未定、高：拓展東南亞市場"
)
CULTURE = _split(
    "重視誠信與長期合作、家族企業，作風保守、講求效率，決策快速、重視品質，取得 ISO 9001 認證、"
    "重視員工福利，流動率低、以客為尊，服務至上"
)
BUSINESS_POLICY = _split(
    "以量制價，追求市占率、專注高毛利產品、多角化經營、深耕在地客戶、降低庫存，穩健經營、"
    "積極開發自有品牌"
)
MANAGEMENT_STYLE = _split(
    "董事長親自主導、授權專業經理人、制度化管理、父子共同經營、夫妻共同經營、集團總部統一管理"
)
SALES_PERFORMANCE = _split(
    "今年營收較去年成長約{p}%、本年度向本公司採購約{m}萬元、業績持平、今年受景氣影響衰退約{p}%、"
    "上半年出貨{m}萬元，優於預期"
)
PAST_PERFORMANCE = _split(
    "過去三年平均年採購約{m}萬元、{y}年起合作，逐年成長、疫情期間採購量減半，現已恢復、"
    "{y}年曾為前十大客戶"
)
MANAGER_QUALITY = _split(
    "主管經驗豐富，熟悉產業、新任總經理，尚在磨合、管理層穩定，決策透明、二代接班，觀念新穎"
)
SALES_STAFF_QUALITY = _split(
    "業務團隊年輕有衝勁、業務流動率偏高、業務人員專業，能做技術說明、業務人力不足"
)
COMPETITORS = _split(
    "同時向兩家同業採購、與主要競爭對手關係密切、與同業保持良好關係、曾改向同業採購後又回頭、"
    "同業積極削價搶單"
)
COOPERATION = _split(
    "配合度高，付款準時、議價強勢，但量大穩定、重視交期，要求快速回應、願意配合新品試用、"
    "對本公司信任度高、態度觀望，需持續經營"
)
SALES_ACTIVITIES = _split(
    "每月拜訪一次、每季舉辦產品說明會、年度合約議價、參加台北國際電子展洽談、提供樣品試用、"
    "邀請參觀本公司工廠"
)
PROBLEMS = _split(
    "交期延誤曾引起客訴、價格競爭激烈、對方窗口異動頻繁、品質要求提高、庫存過高影響下單"
)
STRENGTHS = _split(
    "地區通路完整、技術能力強、付款紀錄良好、與終端客戶關係深、品牌知名度高、倉儲物流完善"
)
FUTURE_PLANS = _split(
    "明年擴大採購量、評估導入新產品線、洽談年度合約、擬於{y}年設立新據點、計畫爭取獨家代理、"
    "評估共同開發客製化產品、希望調整付款條件"
)
REPUTATION = _split(
    "業界口碑良好、地方知名老店、形象佳，媒體曝光多、同業評價普通、上市櫃供應鏈廠商"
)
CREDIT_STATUS = _split("付款正常、偶有延遲、信用良好，無退票紀錄、需注意應收帳款、往來銀行評價佳")
TRADE_TERMS = _split(
    "月結30天、月結60天，電匯、貨到付款、預付30%，出貨前付清、L/C at sight、票期60天、月結90天"
)
CREDIT_PROBLEMS = _split(
    "{y}年曾退票一次，已處理、{y}年曾延遲付款45天，已結清、曾因品質爭議扣款、無"
)
NOTES = _split(
    "董事長與本公司總經理為大學同學、尾牙曾邀請本公司參加、過年前需寄送禮盒、"
    "採購決策由總經理拍板、對方偏好 LINE 聯絡、每年三月盤點，避免該月出貨、"
    "請勿於週一上午拜訪、需開立三聯式發票"
)
CONTACT_SUMMARIES = {
    "visit": _split(
        "拜訪採購經理，介紹新產品、拜訪總經理，討論年度合約、陪同技術人員現場勘查、拜訪工廠，了解產線需求"
    ),
    "call": _split("電話確認交期、電話報價、電話追蹤樣品測試結果、電話催收貨款"),
    "letter": _split("寄送年度價目表、寄送合約正本、寄送新產品型錄"),
    "fax": _split("傳真訂單確認、傳真報價單"),
    "email": _split("寄送報價單、回覆規格詢問、寄送出貨通知"),
    "meeting": _split("於本公司開會討論合作方案、參加客戶供應商大會、展覽會場洽談"),
}
