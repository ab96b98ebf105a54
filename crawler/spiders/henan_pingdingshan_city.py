"""平顶山市人民政府: `scrapy crawl henan_pingdingshan_city` (the registry entry henan-pingdingshan-city)."""

from nianbao.crawler.spiders.base import ReportSpider


class HenanPingdingshanCitySpider(ReportSpider):
    name = "henan_pingdingshan_city"
    source_id = "henan-pingdingshan-city"
