"""新乡市人民政府: `scrapy crawl henan_xinxiang_city` (the registry entry henan-xinxiang-city)."""

from nianbao.crawler.spiders.base import ReportSpider


class HenanXinxiangCitySpider(ReportSpider):
    name = "henan_xinxiang_city"
    source_id = "henan-xinxiang-city"
