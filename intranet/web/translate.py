"""``flask --app app translate …``: keep the message catalogues in step with the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from babel.messages.pofile import read_po, write_po
from opencc import OpenCC

from ..config import PROJECT_ROOT
from . import i18n

POT = PROJECT_ROOT / "translations" / "messages.pot"
KEYWORDS = ("_", "gettext", "ngettext:1,2", "lazy_gettext", "_l", "N_")
# OpenCC t2s changes characters, not words: Taiwan words a mainland reader finds odd are
# replaced after it, in this order. (OpenCC's tw2sp would also turn 檔案 into 文件, but
# 档案 is the policy's own word, so it is not used.)
MAINLAND_WORDS = (
    # 登錄 (enter into the records) must not become 登录, the mainland word for signing in.
    ("登录", "录入"), ("登入", "登录"), ("登出", "退出登录"), ("帐号", "账号"), ("储存", "保存"),
    ("搜寻", "搜索"), ("栏位", "字段"), ("列印", "打印"), ("检视", "查看"),
    ("选单", "菜单"), ("清单", "列表"), ("载入", "加载"), ("支援", "支持"),
    ("汇入", "导入"), ("档名", "文件名"), ("邮递区号", "邮政编码"), ("十六进位", "十六进制"),
    ("字元", "字符"), ("区码或国码", "区号或国家代码"), ("连字号", "连字符"),
    ("底线", "下划线"), ("币别", "币种"), ("检查码", "校验值"), ("设定档", "配置文件"),
    ("设定", "设置"), ("代号", "代码"), ("逾时", "过期"), ("示范", "演示"),
    ("联络", "联系"), ("身分", "身份"), ("职称", "职务"), ("损毁", "损坏"),
    ("客诉", "客户投诉"), ("通路", "渠道"), ("统一编号", "税号"), ("资讯", "信息"),
    ("预设", "默认"), ("开启", "打开"), ("连结", "链接"), ("透过", "通过"), ("汇出", "导出"),
    ("纪录", "记录"), ("网路", "网络"), ("伺服器", "服务器"), ("主控台", "控制台"),
    ("合约", "合同"), ("简报", "演示文稿"), ("试算表", "电子表格"), ("活页簿", "工作簿"),
    ("纯文字", "纯文本"), ("UTF-8 文字", "UTF-8 文本"), ("栏名", "列名"), ("逐栏", "逐项"),
    # A computer file is 文件 on the mainland; 档案 stays the word for a customer file.
    ("CSV 档案", "CSV 文件"), ("选择档案", "选择文件"), ("上传的档案", "上传的文件"),
    ("档案类型", "文件类型"), ("OpenDocument 档案", "OpenDocument 文件"),
    ("「", "“"), ("」", "”"),
)


def to_mainland(text: str, convert=None) -> str:
    """Return Traditional (Taiwan) text in Simplified characters and mainland words."""
    text = (convert or OpenCC("t2s").convert)(text)
    for taiwan, mainland in MAINLAND_WORDS:
        text = text.replace(taiwan, mainland)
    return text


def _pybabel(*args: str) -> None:
    cmd = [sys.executable, "-m", "babel.messages.frontend", *args]
    if subprocess.run(cmd, cwd=PROJECT_ROOT, check=False).returncode != 0:
        raise click.ClickException("pybabel " + " ".join(args[:1]) + " failed")


def extract() -> None:
    """Collect every message of the code and templates into messages.pot."""
    keywords = [arg for k in KEYWORDS for arg in ("-k", k)]
    # Babel skips folders starting with "_" by default; templates/_partials holds the
    # navigation bar and the language switcher, so only hidden folders are skipped.
    _pybabel("extract", "-F", "babel.cfg", "--no-location", "--sort-output",
             "--ignore-dirs", ".*", "--project", "customer-archive", *keywords, "-o", str(POT), ".")


def catalogue(locale: str) -> Path:
    """Return the .po file of a locale."""
    return PROJECT_ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"


def simplify() -> None:
    """Derive the Simplified Chinese catalogue from the Traditional one (OpenCC, then words)."""
    opencc = OpenCC("t2s").convert

    def convert(text: str) -> str:
        return to_mainland(text, opencc)

    with catalogue(i18n.DEFAULT).open("rb") as handle:
        source = read_po(handle, locale=i18n.DEFAULT)
    target_path = catalogue("zh_Hans_CN")
    with target_path.open("rb") as handle:
        target = read_po(handle, locale="zh_Hans_CN")
    for message in source:
        if message.id and message.string and message.id in target:
            string = message.string
            target[message.id].string = (tuple(convert(s) for s in string)
                                         if isinstance(string, tuple) else convert(string))
            target[message.id].flags.discard("fuzzy")
    with target_path.open("wb") as handle:
        write_po(handle, target, width=0, omit_header=False)


@click.group("translate")
def translate() -> None:
    """Update and compile the translations."""


@translate.command("update")
def update_command() -> None:
    """Extract messages and merge them into every catalogue (new ones arrive empty)."""
    extract()
    for locale in i18n.LANGUAGES:
        if not catalogue(locale).exists():
            _pybabel("init", "-i", str(POT), "-d", "translations", "-l", locale)
        _pybabel("update", "-i", str(POT), "-d", "translations", "-l", locale,
                 "--no-fuzzy-matching", "--ignore-obsolete", "-w", "0")


@translate.command("simplify")
def simplify_command() -> None:
    """Fill zh_Hans_CN from zh_Hant_TW by character conversion and MAINLAND_WORDS."""
    simplify()


@translate.command("compile")
def compile_command() -> None:
    """Compile every catalogue to the .mo files the app reads."""
    _pybabel("compile", "-d", "translations", "--statistics")
