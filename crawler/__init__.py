"""Stage 1: crawl government portals for information-disclosure annual reports (Scrapy project)."""
