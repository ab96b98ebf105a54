"""新乡县人民政府: `scrapy crawl henan_xinxiang_county` (the registry entry henan-xinxiang-county)."""

from nianbao.crawler.spiders.base import ReportSpider


class HenanXinxiangCountySpider(ReportSpider):
    name = "henan_xinxiang_county"
    source_id = "henan-xinxiang-county"
