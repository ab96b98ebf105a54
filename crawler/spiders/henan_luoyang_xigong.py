"""洛阳市西工区人民政府: `scrapy crawl henan_luoyang_xigong` (the registry entry henan-luoyang-xigong)."""

from nianbao.crawler.spiders.base import ReportSpider


class HenanLuoyangXigongSpider(ReportSpider):
    name = "henan_luoyang_xigong"
    source_id = "henan-luoyang-xigong"
