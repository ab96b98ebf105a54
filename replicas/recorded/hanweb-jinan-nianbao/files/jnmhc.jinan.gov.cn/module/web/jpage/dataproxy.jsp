<?xml version="1.0" encoding="UTF-8"?>
<datastore>
<totalrecord>20</totalrecord>
<totalpage>2</totalpage>
<recordset>
<record><![CDATA[
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td width="620"><a href="/art/2025/1/20/art_14420_4921009.html" title="济南市卫生健康委员会2024年政府信息公开工作年度报告" target="_blank">济南市卫生健康委员会2024年政府信息公开工作年度报告</a></td><td width="100">2025-01-20</td></tr></table>]]></record>
<record><![CDATA[
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td width="620"><a href="/art/2024/12/5/art_14420_4920331.html" title="关于做好2024年度政府信息公开工作年度报告编制发布工作的通知" target="_blank">关于做好2024年度政府信息公开工作年度报告编制发布工作的通知</a></td><td width="100">2024-12-05</td></tr></table>]]></record>
<record><![CDATA[
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td width="620"><a href="/art/2024/1/27/art_14420_4920969.html" title="济南市卫生健康委员会2023年政府信息公开工作年度报告" target="_blank">济南市卫生健康委员会2023年政府信息公开工作年度报告</a></td><td width="100">2024-01-27</td></tr></table>]]></record>
<record><![CDATA[
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td width="620"><a href="/art/2023/3/30/art_14420_4858702.html" title="济南市卫生健康委员会2022年度法治政府建设情况报告" target="_blank">济南市卫生健康委员会2022年度法治政府建设情况报告</a></td><td width="100">2023-03-30</td></tr></table>]]></record>
<record><![CDATA[
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td width="620"><a href="/art/2023/1/26/art_14420_4920930.html" title="济南市卫生健康委员会2022年政府信息公开工作年度报告" target="_blank">济南市卫生健康委员会2022年政府信息公开工作年度报告</a></td><td width="100">2023-01-26</td></tr></table>]]></record>
<record><![CDATA[
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td width="620"><a href="/art/2022/1/25/art_14420_4920892.html" title="济南市卫生健康委员会2021年政府信息公开工作年度报告" target="_blank">济南市卫生健康委员会2021年政府信息公开工作年度报告</a></td><td width="100">2022-01-25</td></tr></table>]]></record>
<record><![CDATA[
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td width="620"><a href="/art/2021/2/8/art_14420_4712208.html" title="济南市卫生健康委员会关于2020年度政府网站工作年度报表的公告" target="_blank">济南市卫生健康委员会关于2020年度政府网站工作年度报表的公告</a></td><td width="100">2021-02-08</td></tr></table>]]></record>
<record><![CDATA[
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td width="620"><a href="/art/2021/1/24/art_14420_4920855.html" title="济南市卫生健康委员会2020年政府信息公开工作年度报告" target="_blank">济南市卫生健康委员会2020年政府信息公开工作年度报告</a></td><td width="100">2021-01-24</td></tr></table>]]></record>
<record><![CDATA[
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td width="620"><a href="/art/2020/1/23/art_14420_4920814.html" title="济南市卫生健康委员会2019年政府信息公开工作年度报告" target="_blank">济南市卫生健康委员会2019年政府信息公开工作年度报告</a></td><td width="100">2020-01-23</td></tr></table>]]></record>
<record><![CDATA[
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td width="620"><a href="/art/2019/3/18/art_14420_4920774.html" title="济南市卫生健康委员会2018年政府信息公开工作年度报告" target="_blank">济南市卫生健康委员会2018年政府信息公开工作年度报告</a></td><td width="100">2019-03-18</td></tr></table>]]></record>
<record><![CDATA[
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td width="620"><a href="/art/2018/3/17/art_14420_4920735.html" title="济南市卫生健康委员会2017年政府信息公开工作年度报告" target="_blank">济南市卫生健康委员会2017年政府信息公开工作年度报告</a></td><td width="100">2018-03-17</td></tr></table>]]></record>
<record><![CDATA[
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td width="620"><a href="/art/2017/3/16/art_14420_4920697.html" title="济南市卫生健康委员会2016年政府信息公开工作年度报告" target="_blank">济南市卫生健康委员会2016年政府信息公开工作年度报告</a></td><td width="100">2017-03-16</td></tr></table>]]></record>
<record><![CDATA[
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td width="620"><a href="/art/2016/3/15/art_14420_4920660.html" title="济南市卫生健康委员会2015年政府信息公开工作年度报告" target="_blank">济南市卫生健康委员会2015年政府信息公开工作年度报告</a></td><td width="100">2016-03-15</td></tr></table>]]></record>
<record><![CDATA[
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td width="620"><a href="/art/2015/3/14/art_14420_4920619.html" title="济南市卫生健康委员会2014年政府信息公开工作年度报告" target="_blank">济南市卫生健康委员会2014年政府信息公开工作年度报告</a></td><td width="100">2015-03-14</td></tr></table>]]></record>
<record><![CDATA[
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td width="620"><a href="/art/2014/3/13/art_14420_4920579.html" title="济南市卫生健康委员会2013年政府信息公开工作年度报告" target="_blank">济南市卫生健康委员会2013年政府信息公开工作年度报告</a></td><td width="100">2014-03-13</td></tr></table>]]></record>
<record><![CDATA[
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td width="620"><a href="/art/2013/3/12/art_14420_4920540.html" title="济南市卫生健康委员会2012年政府信息公开工作年度报告" target="_blank">济南市卫生健康委员会2012年政府信息公开工作年度报告</a></td><td width="100">2013-03-12</td></tr></table>]]></record>
<record><![CDATA[
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td width="620"><a href="/art/2012/3/11/art_14420_4920502.html" title="济南市卫生健康委员会2011年政府信息公开工作年度报告" target="_blank">济南市卫生健康委员会2011年政府信息公开工作年度报告</a></td><td width="100">2012-03-11</td></tr></table>]]></record>
<record><![CDATA[
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td width="620"><a href="/art/2011/3/10/art_14420_4920465.html" title="济南市卫生健康委员会2010年政府信息公开工作年度报告" target="_blank">济南市卫生健康委员会2010年政府信息公开工作年度报告</a></td><td width="100">2011-03-10</td></tr></table>]]></record>
<record><![CDATA[
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td width="620"><a href="/art/2010/3/24/art_14420_4920424.html" title="济南市卫生健康委员会2009年政府信息公开工作年度报告" target="_blank">济南市卫生健康委员会2009年政府信息公开工作年度报告</a></td><td width="100">2010-03-24</td></tr></table>]]></record>
<record><![CDATA[
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td width="620"><a href="/art/2009/3/23/art_14420_4920384.html" title="济南市卫生健康委员会2008年政府信息公开工作年度报告" target="_blank">济南市卫生健康委员会2008年政府信息公开工作年度报告</a></td><td width="100">2009-03-23</td></tr></table>]]></record>
</recordset>
</datastore>
