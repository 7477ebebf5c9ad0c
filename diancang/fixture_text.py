"""Realistic Chinese pages for benches and tests, made deterministically (no downloads).

A page is what a provincial portal or library site serves: a navigation bar, a notice bar, a
list of other news (words that stand apart from the article's), a gov metadata table on some,
then an article of sentences composed from a bank of templates whose slots (places, bodies,
subjects, events, people, numbers, dates) are drawn per page: the same vocabulary runs through
every page, in different combinations, so a few words standing together are one page's, while
each of them occurs apart in many.  About ``target_chars`` of article text; a third of the
pages are encoded as GBK (declared in a ``<meta>``), the rest as UTF-8.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

PLACES = ("广州", "深圳", "佛山", "东莞", "珠海", "汕头", "湛江", "韶关", "梅州", "惠州",
          "江门", "肇庆", "清远", "潮州", "揭阳", "云浮", "茂名", "阳江", "河源", "汕尾",
          "南宁", "桂林", "长沙", "武汉", "成都", "杭州", "苏州", "南京", "厦门", "福州")
BODIES = ("图书馆", "档案馆", "博物馆", "文化馆", "统计局", "教育局", "科技局", "民政局",
          "财政局", "卫生健康委员会", "生态环境局", "自然资源局", "住房和城乡建设局",
          "交通运输局", "农业农村局", "商务局", "文化广电旅游局", "市场监督管理局",
          "地方志办公室", "人力资源和社会保障局")
SUBJECTS = ("古籍保护", "民国文献", "地方志", "数字化", "非物质文化遗产", "家谱", "碑刻拓片",
            "老照片", "口述历史", "少儿阅读", "乡村振兴", "营商环境", "垃圾分类", "河长制",
            "义务教育", "公共卫生", "养老服务", "就业创业", "粮食安全", "森林防火",
            "防汛抗旱", "文物普查", "红色资源", "海洋经济", "数字政府", "政务公开",
            "城市更新", "历史建筑", "传统村落", "方言保护")
EVENTS = ("讲座", "展览", "培训班", "研讨会", "普查", "征集活动", "座谈会", "调研",
          "专项检查", "成果发布会", "知识竞赛", "志愿服务", "读书月", "公开课", "论坛")
PEOPLE = ("读者", "市民", "学生", "专家学者", "志愿者", "社区居民", "企业代表", "基层干部",
          "退休职工", "青少年", "外来务工人员", "文史爱好者")
THINGS = ("线装书", "手稿", "报刊", "契约文书", "族谱", "地图", "档案", "照片", "碑帖",
          "唱片", "侨批", "年画", "剪纸", "方志", "书信")
VERBS = ("整理", "修复", "登记", "编目", "扫描", "展出", "征集", "研究", "出版", "捐赠")

TEMPLATES = (
    "{place}{body}于{year}年{month}月{day}日举办{subject}{event}，共有{n}名{people}参加。",
    "本次{event}围绕{subject}展开，{place}{body}相关负责人作了专题介绍。",
    "据统计，{place}{body}今年已{verb}{thing}{n}件，其中珍贵{thing2}{m}件。",
    "{people}可通过官方网站或微信公众号预约参加{subject}{event}。",
    "为进一步做好{subject}工作，{place}{body}制定了{year}年度实施方案。",
    "{place}的{thing}保存状况总体良好，但部分{thing2}存在虫蛀、霉变和酸化问题。",
    "专家指出，{subject}是一项长期而细致的工作，需要{people}和社会各界共同参与。",
    "{year}年以来，{place}累计投入资金{n}万元，用于{subject}和{thing}{verb}。",
    "活动现场，{people}踊跃提问，工作人员逐一作了解答。",
    "下一步，{place}{body}将继续推进{subject}，不断提升公共服务水平。",
    "{place}{body}与高校合作，对馆藏{thing}开展系统{verb}，形成目录{n}条。",
    "在{subject}{event}上，{m}位{people}分享了各自的经验和体会。",
    "根据{place}{body}发布的通知，{subject}{event}报名截止日期为{month}月{day}日。",
    "这批{thing}年代跨度较大，最早可追溯至清代{reign}年间。",
    "{place}{body}已完成{subject}第{m}批名录的审核，共{n}项入选。",
    "市民{surname}先生将家中珍藏的{thing}无偿捐赠给{place}{body}。",
    "截至{month}月底，{place}{subject}相关投诉办结率达到百分之{pct}。",
    "{event}期间，{place}{body}还组织{people}参观了{thing}{verb}工作室。",
    "据介绍，{place}{body}的{thing}{verb}工作已持续{m}年，成效明显。",
    "与会人员就{subject}中的难点问题进行了深入交流，提出意见建议{m}条。",
    "今后，{place}将把{subject}纳入年度考核，压实各级责任。",
    "{place}{body}新馆建筑面积{n}平方米，设有阅览座位{m}个。",
    "{people}反映，{subject}相关服务事项办理时间明显缩短。",
    "通过{subject}，一批濒临失传的{thing}得到了及时抢救。",
    "{place}{body}开通了{subject}专题数据库，收录全文资料{n}篇。",
    "为方便{people}，{place}{body}延长了周末和节假日的开放时间。",
    "{year}年{month}月，{place}正式启动{subject}三年行动计划。",
    "此次{event}由{place}{body}主办，{place2}{body2}协办。",
    "经过{m}个月的紧张筹备，{subject}{event}如期开幕。",
    "{place}{body}提醒广大{people}，参加活动时请遵守现场秩序。",
)
PLAIN = (
    "做好这项工作，对于传承中华优秀传统文化具有重要意义。",
    "各单位要高度重视，加强组织领导，确保各项任务落到实处。",
    "文献资源是城市记忆的重要载体，也是开展历史研究的基础。",
    "公共文化服务体系建设取得了新的进展，群众满意度持续提高。",
    "有关部门将加强监督检查，对发现的问题及时督促整改。",
    "欢迎社会各界提供线索，共同守护珍贵的历史文化遗产。",
    "工作人员表示，将认真梳理大家提出的意见，不断改进服务。",
    "近年来，数字技术的发展为文献保护利用带来了新的机遇。",
    "各级各部门要坚持问题导向，切实解决群众急难愁盼问题。",
    "本通知自印发之日起施行，此前有关规定与本通知不一致的，以本通知为准。",
    "馆内设有无障碍通道和母婴室，为特殊群体提供便利。",
    "如有疑问，请在工作日拨打咨询电话，或发送电子邮件联系。",
)
REIGNS = ("康熙", "雍正", "乾隆", "嘉庆", "道光", "咸丰", "同治", "光绪", "宣统")
SURNAMES = ("陈", "李", "黄", "张", "梁", "刘", "林", "吴", "何", "罗", "郑", "谢")
NAV = ("首页", "政务公开", "新闻动态", "通知公告", "政策解读", "办事服务", "互动交流",
       "专题专栏", "数据发布", "关于我们")
NOTICES = ("网站将于本周六凌晨进行系统维护，届时部分栏目暂停访问。",
           "关于调整春节期间开放时间的公告", "温馨提示：请勿轻信陌生来电，谨防电信诈骗。")


@dataclass(frozen=True, slots=True)
class GeneratedPage:
    number: int
    title: str
    article: str              # the main text, as a reader sees it
    html: str
    encoding: str             # "utf-8" or "gbk"

    def body(self) -> bytes:
        return self.html.encode(self.encoding)


def _fill(rng: random.Random, template: str) -> str:
    place, place2 = rng.sample(PLACES, 2)
    body, body2 = rng.sample(BODIES, 2)
    thing, thing2 = rng.sample(THINGS, 2)
    return template.format(
        place=place, place2=place2, body=body, body2=body2, subject=rng.choice(SUBJECTS),
        event=rng.choice(EVENTS), people=rng.choice(PEOPLE), thing=thing, thing2=thing2,
        verb=rng.choice(VERBS), reign=rng.choice(REIGNS), surname=rng.choice(SURNAMES),
        year=rng.randrange(2015, 2025), month=rng.randrange(1, 13), day=rng.randrange(1, 29),
        n=rng.randrange(12, 9000), m=rng.randrange(2, 60), pct=rng.randrange(80, 100))


def article(rng: random.Random, target_chars: int) -> list[str]:
    """Paragraphs of three to six sentences, about ``target_chars`` characters in all."""
    paragraphs, size = [], 0
    while size < target_chars:
        sentences = [_fill(rng, rng.choice(TEMPLATES)) if rng.random() < 0.85
                     else rng.choice(PLAIN) for _ in range(rng.randint(3, 6))]
        paragraphs.append("".join(sentences))
        size += len(paragraphs[-1])
    return paragraphs


def page(number: int, total: int, *, target_chars: int = 3000, seed: int = 15) -> GeneratedPage:
    """Page ``number`` of a site of ``total`` pages (links to a few others)."""
    rng = random.Random(seed * 1_000_003 + number)
    paragraphs = article(rng, target_chars)
    title = _fill(rng, "{place}{body}{subject}{event}") + f"（第{number}期）"
    encoding = "gbk" if number % 3 == 2 else "utf-8"
    others = [rng.randrange(total) for _ in range(8)]
    news = "".join(f'<li><a href="/p/{j}.html">{_fill(rng, "{place}{subject}{event}")}</a>'
                   f"<span>2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}</span></li>"
                   for j in others)
    nav = " | ".join(f'<a href="/c/{i}/">{name}</a>' for i, name in enumerate(NAV))
    gov = ""
    if number % 4 == 1:
        gov = (f'<table class="xxgk"><tr><td>索引号</td><td>11440{number:05d}/2024-00{number % 97}'
               f"</td><td>发布机构</td><td>{rng.choice(PLACES)}市{rng.choice(BODIES)}</td></tr>"
               f"<tr><td>文号</td><td>{rng.choice(PLACES)[0]}府〔2024〕{number}号</td>"
               f"<td>发布日期</td><td>2024-{rng.randrange(1, 13):02d}-10</td></tr></table>")
    charset = "gbk" if encoding == "gbk" else "utf-8"
    html = (f'<!doctype html><html lang="zh-CN"><head><meta charset="{charset}">'
            f"<title>{title}_{rng.choice(PLACES)}市人民政府门户网站</title>"
            '<link rel="stylesheet" href="/s/site.css"><script>var _hmt = [];</script>'
            f'</head><body><div class="top">{nav}</div>'
            f'<div class="notice">{rng.choice(NOTICES)}</div>'
            f'<div class="main"><div class="crumbs">您的位置：首页 &gt; 新闻动态</div>{gov}'
            f'<h1>{title}</h1><div class="article">'
            + "".join(f"<p>{p}</p>" for p in paragraphs)
            + '</div></div><div class="side"><h3>相关新闻</h3><ul>' + news + "</ul></div>"
            '<div class="footer">主办单位：市人民政府办公室 | 网站标识码 4401000001 | '
            "粤ICP备05070829号</div></body></html>")
    return GeneratedPage(number, title, "\n".join(paragraphs), html, encoding)


def sentences(count: int, seed: int = 16) -> list[str]:
    """``count`` sentences of the bank, filled: text to compare segmenters on."""
    rng = random.Random(seed)
    return [_fill(rng, rng.choice(TEMPLATES)) if rng.random() < 0.9 else rng.choice(PLAIN)
            for _ in range(count)]
