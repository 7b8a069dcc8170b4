"""The demo company's departments and staff (R2), fixed so that demo log-ins never change."""

from __future__ import annotations

EMAIL_DOMAIN = "example.com.tw"

# (id, name, manager)
_DEPARTMENTS = (
    ("management", "總經理室", "gm"),
    ("marketing", "營銷部", "director"),
    ("sales-north", "北區業務部", "chen.manager"),
    ("sales-central", "中區業務部", "lin.manager"),
    ("sales-south", "南區業務部", "huang.manager"),
    ("sales-china", "大陸業務部", "chang.manager"),
    ("hr", "人力資源部", "hr"),
    ("info", "資訊部", "wu.manager"),
)
SALES_DEPARTMENTS = ("sales-north", "sales-central", "sales-south", "sales-china")

# (username, name, department, role)
_STAFF = (
    ("gm", "林正雄", "management", "general_manager"),
    ("vp", "張文彬", "marketing", "marketing_vp"),
    ("director", "陳美華", "marketing", "marketing_director"),
    ("liu.yiting", "劉怡婷", "marketing", "marketing_staff"),
    ("kuo.chiahui", "郭佳慧", "marketing", "marketing_staff"),
    ("hr", "黃淑貞", "hr", "hr"),
    ("hsu.peishan", "許佩珊", "hr", "hr"),
    ("wu.manager", "吳建宏", "info", "department_manager"),
    ("cheng.weilun", "鄭偉倫", "info", "marketing_staff"),
    ("chen.manager", "陳志明", "sales-north", "department_manager"),
    ("wang.li", "王立", "sales-north", "salesperson"),
    ("lee.yating", "李雅婷", "sales-north", "salesperson"),
    ("tsai.chengen", "蔡承恩", "sales-north", "salesperson"),
    ("chou.meiling", "周美玲", "sales-north", "salesperson"),
    ("lin.manager", "林俊宏", "sales-central", "department_manager"),
    ("yang.chihhao", "楊志豪", "sales-central", "salesperson"),
    ("hsieh.yichun", "謝宜君", "sales-central", "salesperson"),
    ("lai.kuanyu", "賴冠宇", "sales-central", "salesperson"),
    ("huang.manager", "黃國榮", "sales-south", "department_manager"),
    ("kao.shuhui", "高淑惠", "sales-south", "salesperson"),
    ("hung.chiahao", "洪家豪", "sales-south", "salesperson"),
    ("su.peiting", "蘇佩婷", "sales-south", "salesperson"),
    ("chiang.tsunghan", "江宗翰", "sales-south", "salesperson"),
    ("chang.manager", "張永富", "sales-china", "department_manager"),
    ("liao.mingte", "廖明德", "sales-china", "salesperson"),
    ("tseng.yahui", "曾雅惠", "sales-china", "salesperson"),
    ("ho.chunchieh", "何俊傑", "sales-china", "salesperson"),
)


def departments() -> list[dict]:
    """The departments as records {id, name, manager}."""
    return [{"id": id_, "name": name, "manager": manager} for id_, name, manager in _DEPARTMENTS]


def staff() -> list[dict]:
    """The staff directory as records, all active."""
    return [
        {
            "username": username,
            "name": name,
            "email": f"{username}@{EMAIL_DOMAIN}",
            "department": department,
            "role": role,
            "active": True,
            "left_on": "",
        }
        for username, name, department, role in _STAFF
    ]


def managers() -> dict[str, str]:
    """Department id -> its manager's username."""
    return {id_: manager for id_, _, manager in _DEPARTMENTS}


def salespeople() -> dict[str, list[str]]:
    """Sales department id -> its salespeople's usernames, in directory order."""
    result: dict[str, list[str]] = {dept: [] for dept in SALES_DEPARTMENTS}
    for username, _, department, role in _STAFF:
        if role == "salesperson":
            result[department].append(username)
    return result
