"""Demo county: a deterministic, realistic set of submitted monitoring workbooks.

``write_demo_county(out_dir, seed)`` writes what the 湟源县财政局 mailbox could hold after the
2023 1-7月 monitoring round (源财〔2023〕432号): 23 departments (主管部门), 88 projects, one
workbook per department or per implementing unit (实施单位), saved into one folder per department.

How it is built:

* :data:`CATALOG` lists departments, their units and projects with the indicators approved at
  the start of the year (三级指标 and 年度指标值, as a clerk writes them).
* :func:`simulate_project` draws, with a per-project random generator derived from the seed,
  the budget (万元, two decimals, total = fiscal + carry-over + other), the execution scenario
  (on track / ahead / slow / nothing spent), the 1-7月 actuals and full-year forecasts, and for
  deviating indicators the ticked reasons, 原因说明, measures in 备注 and a consistent
  完成目标可能性 (确定能 / 有可能 / 完全不可能).
* :data:`SUBMISSIONS` says which file carries which projects and how it is laid out: a
  :class:`Style` holds one switch per real-world quirk (amounts in 元, line-broken headers,
  full-width digits, short level names, ...). A :class:`Clerk` types a project the way the
  style says, and the shared painter of :mod:`jixiao.forms.painter` draws the form and writes .xlsx or .xls.
* A few bad files (truncated download, renamed Word report, 0-byte file, a payroll sheet) and a
  later re-submission of one project complete the picture.

Output is byte-for-byte reproducible for a seed: file names do not depend on the seed, zip
entries and document properties carry fixed dates, and modification times are set to the
(fixed) time each file was "received", so the later re-submission wins in ingest.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import random
import re
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from jixiao.forms.painter import (
    LEVELS,
    REASONS,
    Canvas,
    Form,
    Formatted,
    FormStyle,
    FundRow,
    IndicatorRow,
    fund_headers,
    indicator_headers,
    paint_form,
    rows_sheet,
    xls_bytes,
    xlsx_bytes,
)

CHINA_TZ = dt.timezone(dt.timedelta(hours=8))

# 二级指标 short key -> (一级指标, 二级指标); order = framework order of the table rows.
LEVEL2 = {
    "数量": ("产出指标", "数量指标"),
    "质量": ("产出指标", "质量指标"),
    "时效": ("产出指标", "时效指标"),
    "成本": ("产出指标", "成本指标"),
    "经济成本": ("成本指标", "经济成本指标"),  # 2021 guide: 成本 as its own 一级指标
    "经济": ("效益指标", "经济效益指标"),
    "社会": ("效益指标", "社会效益指标"),
    "生态": ("效益指标", "生态效益指标"),
    "可持续": ("效益指标", "可持续影响指标"),
    "满意度": ("满意度指标", "服务对象满意度指标"),
}
LEVEL2_ORDER = list(LEVEL2)


# -- catalog -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProjectSpec:
    """A project as approved: name, 实施单位, rough budget (万元), goal and indicators.

    Each indicator is ``"二级key 三级指标 年度指标值"`` (keys of :data:`LEVEL2`).
    """

    name: str
    unit: str
    scale: float
    goal: str
    indicators: tuple[str, ...]


@dataclass(frozen=True)
class DeptSpec:
    short: str  # folder name and the way clerks refer to it
    name: str
    code: str
    projects: tuple[ProjectSpec, ...]


def P(name: str, unit: str, scale: float, goal: str, *indicators: str) -> ProjectSpec:
    return ProjectSpec(name, unit, scale, goal, indicators)


CATALOG: tuple[DeptSpec, ...] = (
    DeptSpec("教育局", "湟源县教育局", "302001", (
        P("农村义务教育学生营养改善计划", "湟源县教育局", 620,
          "为全县农村义务教育阶段学生提供营养膳食补助，保障供餐安全，改善学生营养健康状况。",
          "数量 受益学生人数 ≥5800人", "数量 供餐学校数 42所", "质量 食品安全事故发生数 0起",
          "成本 生均每天膳食补助标准 5元", "社会 学生营养健康状况 明显改善", "满意度 学生及家长满意度 ≥90%"),
        P("义务教育薄弱环节改善与能力提升", "湟源县教育局", 850,
          "改扩建农村学校校舍，配齐课桌椅等设施，改善农村义务教育学校基本办学条件。",
          "数量 新建改扩建校舍面积 ≥3200平方米", "数量 采购学生课桌椅 ≥1200套", "质量 工程验收合格率 100%",
          "时效 工程完工时间 2023年10月底前", "社会 农村学校办学条件 明显改善", "满意度 师生满意度 ≥90%"),
        P("学前教育保教费补助", "湟源县幼儿园", 180,
          "落实学前教育资助政策，减轻幼儿家庭负担，巩固学前三年毛入园率。",
          "数量 资助幼儿人数 ≥1600人", "质量 资助对象精准率 100%", "时效 资助资金发放及时率 ≥95%",
          "社会 学前三年毛入园率 ≥92%", "满意度 幼儿家长满意度 ≥90%"),
        P("教师培训及继续教育", "湟源县教师进修学校", 60,
          "组织全县中小学教师全员培训和专题研修，提升教师专业能力。",
          "数量 培训教师人次 ≥1500人次", "数量 组织专题培训期数 ≥12期", "质量 培训合格率 ≥95%",
          "社会 教师专业能力 有效提升", "满意度 参训教师满意度 ≥90%"),
        P("普通高中国家助学金", "湟源县第一中学", 95,
          "资助家庭经济困难的普通高中学生，确保不因家庭经济困难而失学。",
          "数量 资助学生人数 ≥860人", "成本 资助标准 2000元/人", "质量 资助对象认定准确率 100%",
          "时效 资金发放及时率 100%", "社会 因贫辍学学生人数 0人", "满意度 受助学生满意度 ≥95%"),
        P("高中智慧校园建设", "湟源县第一中学", 140,
          "建设智慧教室，配备交互式教学设备，推进信息技术与教育教学融合。",
          "数量 建设智慧教室 ≥20间", "数量 采购交互式教学一体机 ≥20台", "质量 设备验收合格率 100%",
          "成本 一体机采购单价 ≤1.8万元/台", "时效 设备安装调试完成时间 2023年9月底前",
          "可持续 设备使用年限 ≥6年", "满意度 师生满意度 ≥90%"),
    )),
    DeptSpec("卫生健康局", "湟源县卫生健康局", "318001", (
        P("基本公共卫生服务", "城关镇卫生院", 320,
          "为辖区居民免费提供基本公共卫生服务，提高居民健康素养水平。",
          "数量 居民电子健康档案建档率 ≥90%", "数量 65岁及以上老年人健康管理人数 ≥3200人",
          "数量 高血压患者规范管理人数 ≥2600人", "质量 0-6岁儿童健康管理率 ≥90%",
          "社会 居民健康素养水平 ≥25%", "满意度 居民满意度 ≥85%"),
        P("县人民医院医疗设备购置", "湟源县人民医院", 560,
          "购置CT、彩超等医疗设备，提升县级医院诊疗能力，提高县域内就诊率。",
          "数量 购置医疗设备 ≥15台", "质量 设备验收合格率 100%", "成本 设备平均采购单价 ≤35万元/台",
          "时效 设备投入使用时间 2023年11月底前", "社会 县域内就诊率 ≥90%", "满意度 患者满意度 ≥90%"),
        P("计划生育家庭奖励扶助", "湟源县卫生健康局", 210,
          "按标准足额发放农村部分计划生育家庭奖励扶助金和特别扶助金。",
          "数量 奖励扶助对象人数 ≥2100人", "质量 扶助资金足额发放率 100%", "时效 资金发放及时率 100%",
          "社会 计划生育家庭生活水平 有所改善", "满意度 扶助对象满意度 ≥95%"),
        P("妇幼公共卫生服务", "湟源县妇幼保健计划生育服务中心", 70,
          "开展孕产妇和儿童健康管理、免费孕前优生健康检查，降低孕产妇和婴儿死亡率。",
          "数量 孕产妇系统管理率 ≥90%", "数量 免费孕前优生健康检查人数 ≥800人",
          "质量 新生儿疾病筛查率 ≥95%", "社会 婴儿死亡率 ≤6‰", "满意度 服务对象满意度 ≥90%"),
        P("重大传染病防控", "湟源县疾病预防控制中心", 130,
          "开展结核病、艾滋病等重大传染病监测、检测和防控，防止重大疫情发生。",
          "数量 结核病患者发现人数 ≥40人", "数量 艾滋病检测人次 ≥12000人次", "质量 法定传染病报告率 100%",
          "时效 突发疫情处置响应时间 ≤2小时", "社会 重大传染病疫情暴发 0起", "满意度 群众满意度 ≥85%"),
        P("国家免疫规划", "湟源县疾病预防控制中心", 85,
          "做好适龄儿童免疫规划疫苗接种和冷链管理，维持高水平接种率。",
          "数量 适龄儿童免疫规划疫苗接种率 ≥95%", "数量 维护疫苗冷链设备 ≥30台", "质量 疫苗储存运输合格率 100%",
          "时效 疫苗出入库及时率 100%", "社会 疫苗可预防传染病发病率 逐年下降", "满意度 接种儿童家长满意度 ≥90%"),
    )),
    DeptSpec("民政局", "湟源县民政局", "307001", (
        P("城乡最低生活保障", "湟源县民政局", 1850,
          "按时足额发放城乡低保金，保障困难群众基本生活，做到应保尽保。",
          "数量 城乡低保保障人数 ≥5200人", "质量 低保对象认定准确率 ≥98%", "时效 低保金按月发放率 100%",
          "成本 农村低保保障标准 ≥5640元/人·年", "社会 困难群众基本生活 应保尽保", "满意度 保障对象满意度 ≥90%"),
        P("特困人员救助供养", "湟源县社会福利中心", 420,
          "为特困人员提供基本生活、照料和医疗保障，提升集中供养服务质量。",
          "数量 特困供养人数 ≥480人", "质量 供养机构安全事故 0起", "时效 供养金发放及时率 100%",
          "社会 特困人员基本生活 得到保障", "满意度 供养对象满意度 ≥90%"),
        P("居家和社区养老服务", "湟源县民政局", 150,
          "建设农村互助幸福院，为老年人提供助餐、照料等居家社区养老服务。",
          "数量 建成农村互助幸福院 6个", "数量 服务老年人人次 ≥8000人次", "质量 服务达标率 ≥95%",
          "社会 老年人生活质量 明显提高", "可持续 养老服务长效运行机制 逐步建立", "满意度 老年人满意度 ≥90%"),
        P("孤儿基本生活保障", "湟源县民政局", 65,
          "按标准发放孤儿和事实无人抚养儿童基本生活费，保障其基本生活。",
          "数量 保障儿童人数 ≥120人", "质量 保障对象识别准确率 100%", "时效 资金按月发放率 100%",
          "成本 集中养育孤儿保障标准 ≥1900元/人·月", "社会 受助儿童基本生活 得到保障", "满意度 监护人满意度 ≥95%"),
    )),
    DeptSpec("人社局", "湟源县人力资源和社会保障局", "311001", (
        P("就业补助资金", "湟源县就业服务局", 360,
          "落实就业创业扶持政策，开展职业技能培训，稳定和扩大城乡就业。",
          "数量 城镇新增就业人数 ≥1200人", "数量 职业技能培训人数 ≥1500人次", "质量 培训合格率 ≥90%",
          "时效 补贴资金发放及时率 ≥95%", "社会 城镇登记失业率 ≤3.5%", "满意度 培训学员满意度 ≥90%"),
        P("城乡居民基本养老保险政府补贴", "湟源县社会保险服务中心", 980,
          "落实城乡居民基本养老保险政府补贴，按月足额发放养老金。",
          "数量 参保人数 ≥62000人", "质量 参保率 ≥95%", "时效 养老金按月足额发放率 100%",
          "社会 城乡居民老有所养 有效保障", "满意度 参保群众满意度 ≥90%"),
        P("根治欠薪专项整治", "湟源县劳动保障监察大队", 25,
          "开展根治欠薪专项检查，及时处理欠薪投诉，维护农民工合法权益。",
          "数量 开展专项检查次数 ≥4次", "数量 检查用人单位 ≥150户", "质量 欠薪案件结案率 ≥95%",
          "时效 投诉案件处理时限 ≤15个工作日", "社会 重大欠薪群体性事件 0起", "满意度 农民工满意度 ≥90%"),
        P("公益性岗位补贴", "湟源县就业服务局", 210,
          "开发公益性岗位安置就业困难人员，按月发放岗位补贴。",
          "数量 开发公益性岗位 ≥300个", "质量 岗位人员在岗率 ≥95%", "时效 补贴按月发放率 100%",
          "社会 就业困难人员就业 保持稳定", "满意度 岗位人员满意度 ≥90%"),
    )),
    DeptSpec("农业农村和科技局", "湟源县农业农村和科技局", "321001", (
        P("高标准农田建设", "湟源县农业农村和科技局", 1600,
          "新建高标准农田，完善田间道路和灌排设施，提高粮食综合生产能力。",
          "数量 新建高标准农田面积 ≥0.5万亩", "质量 工程验收合格率 100%", "时效 项目完工时间 2023年10月底前",
          "成本 亩均投资 ≤3500元/亩", "经济 亩均粮食产能提高 ≥50公斤", "可持续 工程设计使用年限 ≥15年",
          "满意度 受益农户满意度 ≥90%"),
        P("动物疫病强制免疫", "湟源县动物疫病预防控制中心", 120,
          "开展口蹄疫、小反刍兽疫等重大动物疫病强制免疫，防止区域性疫情发生。",
          "数量 牲畜口蹄疫免疫数量 ≥35万头只", "质量 免疫密度 ≥90%", "质量 免疫抗体合格率 ≥70%",
          "时效 春秋季集中免疫 按时完成", "社会 区域性重大动物疫情 0起", "满意度 养殖户满意度 ≥90%"),
        P("农业技术推广与科技示范", "湟源县农业技术推广中心", 80,
          "建设科技示范基地，推广主推技术，开展农民技术培训，促进农业增效农民增收。",
          "数量 建设科技示范基地 ≥5个", "数量 培训农民人次 ≥2000人次", "质量 主推技术到位率 ≥95%",
          "经济 示范区亩均增收 ≥100元", "可持续 科技示范带动作用 持续发挥", "满意度 参训农民满意度 ≥90%"),
        P("农村人居环境整治", "大华镇人民政府", 450,
          "实施农村户厕改造和垃圾收集设施建设，改善农村人居环境。",
          "数量 改造农村户用卫生厕所 ≥800座", "数量 建设村级垃圾收集点 ≥40个", "质量 改厕验收合格率 ≥95%",
          "生态 农村生活垃圾无害化处理率 ≥90%", "社会 村容村貌 明显改善", "满意度 农户满意度 ≥90%"),
        P("耕地地力保护补贴", "湟源县农业农村和科技局", 780,
          "按确权面积足额兑付耕地地力保护补贴，保护耕地地力，稳定种粮农民收入。",
          "数量 补贴耕地面积 ≥30.5万亩", "质量 补贴发放准确率 100%", "时效 补贴资金兑付时间 2023年6月底前",
          "成本 亩均补贴标准 ≥25元", "经济 种粮农民收入 稳步增加", "满意度 农户满意度 ≥95%"),
    )),
    DeptSpec("水利局", "湟源县水利局", "322001", (
        P("农村供水保障工程", "湟源县农村供水管理站", 680,
          "维修改造农村供水管网，提高农村自来水普及率和水质达标率。",
          "数量 维修改造供水管网 ≥45公里", "数量 受益人口 ≥1.8万人", "质量 农村自来水普及率 ≥98%",
          "质量 水质达标率 ≥95%", "时效 工程完工时间 2023年10月底前", "社会 农村群众饮水条件 明显改善",
          "满意度 受益群众满意度 ≥90%"),
        P("湟水河湟源段中小河流治理", "湟源县河道管理所", 900,
          "治理湟水河湟源段河道，新建堤防，提升防洪能力，改善河道生态。",
          "数量 治理河道长度 ≥6.5公里", "数量 新建堤防 ≥4.2公里", "质量 工程质量合格率 100%",
          "时效 汛期前完成主体工程 按时完成", "生态 河道生态环境 明显改善", "社会 保护农田面积 ≥3000亩",
          "满意度 沿河群众满意度 ≥90%"),
        P("水土保持综合治理", "湟源县水土保持工作站", 260,
          "综合治理小流域水土流失，营造水土保持林，减少土壤侵蚀。",
          "数量 治理水土流失面积 ≥12平方公里", "数量 营造水保林 ≥1500亩", "质量 林草成活率 ≥85%",
          "生态 土壤侵蚀量 明显减少", "可持续 治理措施保存率 ≥90%", "满意度 项目区群众满意度 ≥90%"),
        P("河湖长制工作经费", "湟源县水利局", 40,
          "落实河湖长制，开展河湖巡查和清四乱，保持河湖水质稳定达标。",
          "数量 开展河湖巡查 ≥480次", "数量 清理河道垃圾 ≥300吨", "质量 河湖四乱问题整改率 100%",
          "时效 问题整改时限 ≤30天", "生态 河湖水质达标率 ≥90%", "满意度 群众满意度 ≥90%"),
    )),
    DeptSpec("交通运输局", "湟源县交通运输局", "320001", (
        P("农村公路日常养护", "湟源县农村公路管理站", 520,
          "完成全县农村公路日常养护和危桥维修，保障道路安全畅通。",
          "数量 养护农村公路里程 ≥680公里", "数量 维修危桥 3座", "质量 路面优良率 ≥85%",
          "时效 水毁路段抢通时间 ≤48小时", "社会 群众出行条件 明显改善", "满意度 沿线群众满意度 ≥90%"),
        P("农村公路安全生命防护工程", "湟源县农村公路管理站", 310,
          "在临水临崖等危险路段安装护栏和标志标牌，降低交通事故风险。",
          "数量 安装波形护栏 ≥28公里", "数量 设置交通标志标牌 ≥260块", "质量 工程验收合格率 100%",
          "成本 护栏单价 ≤280元/米", "社会 道路交通事故发生率 有效降低", "满意度 群众满意度 ≥90%"),
        P("城乡客运燃油补贴", "湟源县交通运输局", 190,
          "按标准兑付城乡客运和出租车燃油补贴，保障城乡客运稳定运行。",
          "数量 补贴客运车辆 ≥160辆", "质量 补贴发放准确率 100%", "时效 补贴兑付时间 2023年9月底前",
          "社会 城乡客运服务 稳定运行", "满意度 经营者满意度 ≥90%"),
        P("交通运输安全生产监管", "湟源县交通运输综合行政执法大队", 35,
          "开展道路运输安全检查和隐患排查整治，遏制较大以上交通安全事故。",
          "数量 开展安全检查 ≥24次", "数量 排查整改隐患 ≥100处", "质量 隐患整改率 100%",
          "社会 较大及以上交通安全事故 0起", "满意度 群众满意度 ≥85%"),
    )),
    DeptSpec("住房和城乡建设局", "湟源县住房和城乡建设局", "319001", (
        P("城镇老旧小区改造", "湟源县城乡建设服务中心", 1200,
          "改造城镇老旧小区水电暖气和公共设施，改善居民居住条件。",
          "数量 改造老旧小区 ≥8个", "数量 惠及居民 ≥1200户", "质量 工程验收合格率 100%",
          "时效 项目开工率 100%", "社会 小区居住环境 明显改善", "满意度 居民满意度 ≥90%"),
        P("农村危房改造", "湟源县住房和城乡建设局", 280,
          "对农村低收入群体危房实施改造，保障农村低收入群体住房安全。",
          "数量 改造农村危房 ≥120户", "成本 户均补助标准 ≥2.2万元/户", "质量 竣工验收合格率 100%",
          "时效 当年开工率 100%", "社会 农村低收入群体住房安全 得到保障", "满意度 改造户满意度 ≥95%"),
        P("公共租赁住房维修", "湟源县住房保障服务中心", 160,
          "维修公共租赁住房，改善住房困难群众居住条件。",
          "数量 维修公租房 ≥300套", "质量 维修质量合格率 100%", "时效 维修完成时间 2023年10月底前",
          "社会 住房困难群众居住条件 有效改善", "满意度 租住户满意度 ≥90%"),
        P("建筑施工安全及扬尘治理", "湟源县建设工程质量安全监督站", 30,
          "开展在建工程安全生产和扬尘治理监督检查，防范安全事故。",
          "数量 监督检查在建项目 ≥60个次", "质量 隐患整改率 100%", "社会 较大及以上安全事故 0起",
          "生态 施工扬尘 有效控制", "满意度 群众满意度 ≥85%"),
    )),
    DeptSpec("自然资源局", "湟源县自然资源局", "316001", (
        P("村庄规划编制", "湟源县自然资源局", 210,
          "编制实用性村庄规划，优化国土空间开发保护格局。",
          "数量 编制村庄规划 ≥20个", "质量 规划成果审查通过率 100%", "时效 规划成果报批时间 2023年12月底前",
          "社会 国土空间开发保护格局 不断优化", "满意度 相关部门满意度 ≥90%"),
        P("不动产登记信息化建设", "湟源县不动产登记中心", 95,
          "数字化整合历史档案，压缩登记办理时限，提升不动产登记便民服务水平。",
          "数量 数字化历史档案 ≥8万卷", "质量 数据整合准确率 ≥99%", "时效 一般登记办理时限 ≤5个工作日",
          "社会 群众办事便利度 明显提升", "满意度 办事群众满意度 ≥95%"),
        P("地质灾害防治", "湟源县自然资源局", 180,
          "开展地质灾害隐患排查、监测预警和工程治理，保障群众生命财产安全。",
          "数量 排查地质灾害隐患点 ≥60处", "数量 实施工程治理 2处", "质量 监测预警覆盖率 100%",
          "社会 地质灾害造成人员伤亡 0人", "可持续 群测群防体系 长效运行", "满意度 受威胁群众满意度 ≥90%"),
        P("土地整治新增耕地", "湟源县土地整理中心", 320,
          "实施土地整治，新增耕地，落实耕地占补平衡。",
          "数量 新增耕地面积 ≥800亩", "质量 新增耕地质量 不低于周边耕地", "时效 项目验收时间 2023年11月底前",
          "经济 新增耕地指标收益 ≥600万元", "满意度 项目区群众满意度 ≥90%"),
    )),
    DeptSpec("生态环境分局", "西宁市生态环境局湟源分局", "317001", (
        P("大气污染防治", "西宁市生态环境局湟源分局", 150,
          "淘汰燃煤小锅炉，完善空气质量监测网络，持续改善环境空气质量。",
          "数量 淘汰燃煤小锅炉 ≥15台", "数量 安装空气质量监测设备 4套", "质量 环境空气优良天数比例 ≥90%",
          "生态 PM2.5平均浓度 ≤30微克/立方米", "满意度 群众满意度 ≥85%"),
        P("农村环境综合整治", "西宁市生态环境局湟源分局", 260,
          "建设农村生活污水处理设施，完成村庄环境综合整治。",
          "数量 完成整治村庄 ≥10个", "数量 建设污水处理设施 ≥6座", "质量 出水水质达标率 ≥90%",
          "生态 农村生活污水治理率 ≥30%", "可持续 设施正常运行率 ≥90%", "满意度 村民满意度 ≥90%"),
        P("生态环境监测执法", "湟源县生态环境监测站", 45,
          "开展环境监测和执法检查，及时处理环境信访，防范突发环境事件。",
          "数量 开展执法检查 ≥120次", "数量 水质监测断面 6个", "质量 监测数据准确率 ≥95%",
          "时效 环境信访处理时限 ≤7天", "社会 突发环境事件 0起", "满意度 群众满意度 ≥85%"),
    )),
    DeptSpec("文体旅游广电局", "湟源县文体旅游广电局", "325001", (
        P("丹噶尔古城景区提升改造", "湟源县丹噶尔古城景区管理服务中心", 650,
          "修缮古城古建筑，更新景区标识系统，提升景区接待能力和游客体验。",
          "数量 修缮古建筑 ≥12处", "数量 更新景区标识标牌 ≥150块", "质量 工程验收合格率 100%",
          "经济 景区旅游综合收入 ≥2.5亿元", "社会 接待游客 ≥180万人次", "满意度 游客满意度 ≥90%"),
        P("公共文化场馆免费开放", "湟源县文化馆", 60,
          "保障文化馆、图书馆、博物馆免费开放，开展公益文化活动。",
          "数量 免费开放天数 ≥300天", "数量 举办公益文化活动 ≥50场次", "质量 设施设备完好率 ≥95%",
          "社会 群众文化生活 更加丰富", "满意度 群众满意度 ≥90%"),
        P("全民健身及体育赛事", "湟源县文体旅游广电局", 90,
          "举办群众性体育赛事，更新村级健身器材，推动全民健身。",
          "数量 举办群众体育赛事 ≥10次", "数量 更新村级健身器材 ≥30套", "质量 赛事安全事故 0起",
          "社会 经常参加体育锻炼人数比例 ≥38%", "满意度 参赛群众满意度 ≥90%"),
        P("应急广播体系建设", "湟源县融媒体中心", 120,
          "建设村级应急广播终端，实现应急信息快速覆盖到村到户。",
          "数量 建设村级应急广播终端 ≥146个", "质量 终端设备在线率 ≥95%", "时效 故障维修响应时间 ≤24小时",
          "社会 应急信息覆盖率 ≥95%", "满意度 群众满意度 ≥90%"),
    )),
    DeptSpec("应急管理局", "湟源县应急管理局", "328001", (
        P("应急救灾物资储备", "湟源县应急管理局", 85,
          "采购储备帐篷、棉被等救灾物资，保障受灾群众基本生活。",
          "数量 采购帐篷 ≥200顶", "数量 采购棉被 ≥1000床", "质量 物资验收合格率 100%",
          "时效 灾后物资调运时间 ≤12小时", "社会 受灾群众基本生活 得到保障", "满意度 受灾群众满意度 ≥90%"),
        P("安全生产监管执法", "湟源县应急管理综合行政执法大队", 40,
          "开展企业安全生产执法检查和应急演练，防范遏制生产安全事故。",
          "数量 执法检查企业 ≥150家次", "数量 组织应急演练 ≥6次", "质量 隐患整改率 100%",
          "社会 较大及以上生产安全事故 0起", "满意度 企业满意度 ≥85%"),
        P("森林草原防灭火", "湟源县应急管理局", 110,
          "配备扑火机具，开展防火巡查，确保不发生重特大森林草原火灾。",
          "数量 配备扑火机具 ≥300件", "数量 开展防火巡查 ≥500人次", "质量 森林草原火灾受害率 ≤0.9‰",
          "时效 火情处置响应时间 ≤30分钟", "生态 重特大森林草原火灾 0起", "满意度 群众满意度 ≥90%"),
    )),
    DeptSpec("市场监督管理局", "湟源县市场监督管理局", "331001", (
        P("食品安全监督抽检", "湟源县市场监督管理局", 55,
          "完成食品安全监督抽检任务，及时核查处置不合格食品，保障群众饮食安全。",
          "数量 完成食品抽检 ≥480批次", "质量 抽检合格率 ≥97%", "时效 不合格食品核查处置率 100%",
          "社会 重大食品安全事故 0起", "满意度 群众满意度 ≥85%"),
        P("特种设备安全监察", "湟源县市场监督管理局", 25,
          "开展特种设备安全检查和定期检验督促，防范特种设备事故。",
          "数量 检查特种设备 ≥300台", "质量 定期检验率 ≥95%", "社会 特种设备事故 0起",
          "满意度 使用单位满意度 ≥90%"),
        P("消费者投诉举报处置", "城关市场监督管理所", 18,
          "受理处置12315消费投诉举报，维护消费者合法权益。",
          "数量 受理投诉举报 ≥600件", "质量 投诉处结率 ≥95%", "时效 投诉处理时限 ≤7个工作日",
          "经济 为消费者挽回经济损失 ≥20万元", "满意度 投诉人满意度 ≥90%"),
    )),
    DeptSpec("医疗保障局", "湟源县医疗保障局", "335001", (
        P("城乡医疗救助", "湟源县医疗保障服务中心", 380,
          "资助困难群众参加城乡居民医保，实施门诊和住院救助，减轻医疗负担。",
          "数量 资助参保人数 ≥9000人", "数量 医疗救助 ≥4500人次", "质量 救助对象覆盖率 100%",
          "时效 救助资金结算及时率 ≥95%", "社会 困难群众医疗负担 有效减轻", "满意度 救助对象满意度 ≥90%"),
        P("医保基金监管", "湟源县医疗保障局", 30,
          "检查定点医药机构，查处欺诈骗保行为，确保医保基金安全。",
          "数量 检查定点医药机构 ≥86家", "质量 违规问题查处率 100%", "经济 追回医保基金 ≥50万元",
          "社会 欺诈骗保行为 得到遏制", "满意度 参保群众满意度 ≥90%"),
        P("医保信息化及经办服务", "湟源县医疗保障服务中心", 60,
          "推广医保电子凭证，保障医保信息系统稳定运行，提升经办服务效率。",
          "数量 医保电子凭证激活人数 ≥6万人", "质量 系统正常运行率 ≥99%", "时效 异地就医备案办理时限 ≤1个工作日",
          "社会 医保经办服务便利度 明显提升", "满意度 参保群众满意度 ≥90%"),
    )),
    DeptSpec("退役军人事务局", "湟源县退役军人事务局", "334001", (
        P("退役士兵安置及自主就业补助", "湟源县退役军人事务局", 140,
          "做好退役士兵接收安置，按时发放自主就业一次性补助。",
          "数量 安置退役士兵 ≥35人", "质量 安置政策落实率 100%", "时效 补助资金发放及时率 100%",
          "社会 退役军人合法权益 得到保障", "满意度 退役士兵满意度 ≥95%"),
        P("优抚对象抚恤补助", "湟源县退役军人服务中心", 260,
          "按标准按时发放优抚对象抚恤和生活补助，提高优抚对象生活水平。",
          "数量 发放抚恤补助人数 ≥1100人", "质量 发放准确率 100%", "时效 按季度发放率 100%",
          "社会 优抚对象生活水平 有所提高", "满意度 优抚对象满意度 ≥95%"),
        P("烈士纪念设施维护", "湟源县退役军人服务中心", 45,
          "维修烈士陵园等纪念设施，发挥红色教育功能。",
          "数量 维修烈士纪念设施 ≥3处", "质量 维修工程验收合格率 100%", "时效 清明节前完成修缮 按时完成",
          "社会 红色教育功能 有效发挥", "满意度 群众满意度 ≥90%"),
    )),
    DeptSpec("林业和草原局", "湟源县林业和草原局", "323001", (
        P("天然林保护修复", "湟源县国有林场", 420,
          "落实天然林管护责任，聘用生态护林员，持续增加森林资源。",
          "数量 管护天然林面积 ≥28万亩", "数量 聘用生态护林员 ≥180人", "质量 管护责任落实率 100%",
          "生态 森林覆盖率 ≥34%", "可持续 天然林资源 持续增长", "满意度 护林员满意度 ≥90%"),
        P("国土绿化造林", "湟源县林业工作站", 560,
          "完成人工造林任务，提高造林成活率，改善区域生态环境。",
          "数量 完成人工造林面积 ≥1.2万亩", "质量 造林成活率 ≥85%", "时效 春季造林完成时间 2023年5月底前",
          "成本 造林亩均成本 ≤450元/亩", "生态 区域生态环境 明显改善", "满意度 群众满意度 ≥90%"),
        P("草原生态保护补助奖励", "湟源县草原工作站", 690,
          "落实草原禁牧和草畜平衡，足额发放补奖资金，促进草原生态恢复。",
          "数量 草原禁牧面积 ≥52万亩", "数量 草畜平衡面积 ≥38万亩", "质量 补奖资金发放准确率 100%",
          "生态 草原综合植被盖度 ≥60%", "经济 农牧民政策性收入 保持稳定", "满意度 农牧民满意度 ≥90%"),
        P("林业有害生物防治", "湟源县林业工作站", 50,
          "开展林业有害生物监测和防治，控制成灾率。",
          "数量 防治作业面积 ≥3万亩", "质量 成灾率 ≤3‰", "时效 防治作业 按时完成",
          "生态 林业有害生物 有效控制", "满意度 群众满意度 ≥90%"),
    )),
    DeptSpec("乡村振兴局", "湟源县乡村振兴局", "336001", (
        P("衔接推进乡村振兴补助资金（产业发展）", "湟源县乡村振兴局", 1500,
          "支持乡村特色产业发展项目，完善联农带农机制，带动脱贫人口增收。",
          "数量 支持产业项目 ≥12个", "数量 带动脱贫户 ≥1500户", "质量 项目验收合格率 100%",
          "经济 脱贫人口人均纯收入增幅 ≥8%", "可持续 联农带农机制 持续发挥", "满意度 受益脱贫户满意度 ≥90%"),
        P("雨露计划职业教育补助", "湟源县乡村振兴服务中心", 75,
          "对脱贫家庭接受中高职教育的子女发放补助，阻断贫困代际传递。",
          "数量 补助脱贫家庭学生 ≥500人", "成本 补助标准 3000元/人·年", "质量 补助对象精准率 100%",
          "时效 资金发放及时率 100%", "社会 脱贫家庭子女就学 得到保障", "满意度 受助学生满意度 ≥95%"),
        P("脱贫人口小额信贷贴息", "湟源县乡村振兴服务中心", 110,
          "对脱贫人口小额信贷按季贴息，支持脱贫户发展生产。",
          "数量 贴息贷款户数 ≥900户", "质量 贴息资金足额到位率 100%", "时效 贴息资金 按季拨付",
          "经济 带动户均增收 ≥2000元", "满意度 贷款户满意度 ≥90%"),
        P("村级光伏帮扶电站运维", "湟源县乡村振兴局", 65,
          "做好村级光伏帮扶电站运行维护，保障村集体稳定收益。",
          "数量 运维电站 ≥45座", "质量 电站正常发电率 ≥95%", "经济 村集体年收益 ≥400万元",
          "可持续 电站运行年限 ≥20年", "满意度 村集体满意度 ≥90%"),
        P("易地扶贫搬迁后续扶持", "日月藏族乡人民政府", 240,
          "完善安置区配套产业设施，帮助搬迁群众稳得住、有就业、逐步能致富。",
          "数量 扶持搬迁户 ≥320户", "数量 建设配套产业设施 2处", "质量 工程合格率 100%",
          "社会 搬迁群众稳得住能致富 逐步实现", "满意度 搬迁群众满意度 ≥90%"),
    )),
    DeptSpec("财政局", "湟源县财政局", "309001", (
        P("预算管理一体化系统运维", "湟源县财政局", 80,
          "保障预算管理一体化系统稳定运行，及时响应预算单位运维需求。",
          "数量 系统维护数量 ≥20台", "数量 系统用户数 ≥150个", "质量 系统正常运行率 ≥99%",
          "时效 运维响应时间 ≤2小时", "成本 运维成本 ≤80万元", "满意度 预算单位满意度 ≥90%"),
        P("政府投资项目评审", "湟源县政府投资评审中心", 60,
          "对政府投资项目预算和结算开展评审，合理审减，提高资金使用效益。",
          "数量 完成评审项目 ≥120个", "质量 评审报告合格率 100%", "时效 评审办结时限 ≤15个工作日",
          "经济 审减率 ≥5%", "满意度 建设单位满意度 ≥90%"),
        P("乡镇财政所能力建设", "城关镇财政所", 25,
          "培训乡镇财会人员，更新办公设备，提升乡镇财政管理水平。",
          "数量 培训财会人员 ≥150人次", "数量 更新办公设备 ≥10台", "成本 设备采购单价 ≤0.6万元/台",
          "质量 培训合格率 ≥95%", "社会 乡镇财政管理水平 有效提升", "满意度 参训人员满意度 ≥90%"),
    )),
    DeptSpec("发展和改革局", "湟源县发展和改革局", "303001", (
        P("县级储备粮管理", "湟源县粮食和物资储备中心", 210,
          "保持县级储备粮规模和质量，按计划轮换，保障粮食市场供应平稳。",
          "数量 县级储备粮规模 ≥3000吨", "质量 储备粮质量达标率 100%", "时效 轮换计划完成率 100%",
          "社会 粮食市场供应 平稳有序", "满意度 群众满意度 ≥90%"),
        P("重点项目前期工作经费", "湟源县发展和改革局", 150,
          "开展重点项目可行性研究等前期工作，争取上级资金支持。",
          "数量 完成可研报告编制 ≥8个", "质量 可研报告审查通过率 ≥90%", "时效 前期工作完成时间 2023年11月底前",
          "经济 争取上级资金 ≥3亿元", "满意度 项目单位满意度 ≥90%"),
        P("价格监测与成本调查", "湟源县价格认证中心", 15,
          "开展重要商品价格监测和成本调查，定期发布价格监测报告。",
          "数量 监测价格品种 ≥60种", "数量 发布价格监测报告 ≥12期", "质量 监测数据准确率 ≥98%",
          "时效 数据报送及时率 100%", "满意度 相关部门满意度 ≥90%"),
    )),
    DeptSpec("工业商务和信息化局", "湟源县工业商务和信息化局", "304001", (
        P("电子商务进农村综合示范", "湟源县电子商务公共服务中心", 300,
          "建设县乡村三级电商服务体系，开展电商培训，扩大农产品网络销售。",
          "数量 建设村级电商服务站 ≥40个", "数量 电商培训 ≥1200人次", "质量 服务站正常运营率 ≥80%",
          "经济 农产品网络销售额 ≥5000万元", "满意度 服务对象满意度 ≥90%"),
        P("中小企业发展专项", "湟源县工业商务和信息化局", 180,
          "扶持中小企业技术改造和市场开拓，带动企业增产增效和就业。",
          "数量 扶持中小企业 ≥15家", "质量 资金使用合规率 100%", "经济 带动企业新增产值 ≥8000万元",
          "社会 新增就业岗位 ≥200个", "满意度 企业满意度 ≥90%"),
        P("消费促进活动", "湟源县工业商务和信息化局", 90,
          "举办促消费活动，发放消费券，提振县域消费。",
          "数量 举办促消费活动 ≥6场", "数量 发放消费券 ≥80万元", "经济 带动消费 ≥2000万元",
          "时效 活动完成时间 2023年10月底前", "满意度 消费者满意度 ≥85%"),
    )),
    DeptSpec("司法局", "湟源县司法局", "308001", (
        P("法律援助", "湟源县公共法律服务中心", 35,
          "为经济困难群众和特殊案件当事人提供法律援助，维护其合法权益。",
          "数量 办理法律援助案件 ≥260件", "质量 案件质量合格率 ≥95%", "时效 受理审批时限 ≤7个工作日",
          "社会 困难群众合法权益 得到维护", "满意度 受援人满意度 ≥95%"),
        P("人民调解及八五普法", "湟源县司法局", 40,
          "开展八五普法宣传和矛盾纠纷排查调解，增强群众法治意识。",
          "数量 开展普法宣传活动 ≥60场次", "数量 调解矛盾纠纷 ≥400件", "质量 调解成功率 ≥95%",
          "社会 群众法治意识 明显增强", "满意度 群众满意度 ≥90%"),
        P("社区矫正监管", "城关司法所", 20,
          "落实社区矫正对象监督管理和教育帮扶，防止重新违法犯罪。",
          "数量 监管社区矫正对象 ≥60人", "质量 社区矫正对象再犯罪率 ≤0.2%", "时效 报到衔接率 100%",
          "社会 社会治安环境 持续稳定", "满意度 相关单位满意度 ≥90%"),
    )),
    DeptSpec("公安局", "湟源县公安局", "306001", (
        P("公安业务装备购置", "湟源县公安局", 260,
          "购置执法记录仪和警用车辆，提升一线执法装备保障水平。",
          "数量 购置执法记录仪 ≥120台", "数量 购置警用车辆 4辆", "质量 装备验收合格率 100%",
          "经济成本 执法记录仪单价 ≤0.35万元/台", "可持续 装备使用年限 ≥5年", "满意度 一线民警满意度 ≥90%"),
        P("雪亮工程视频监控运维", "湟源县公安局", 120,
          "做好视频监控点位运行维护，保障点位在线，提升社会治安防控能力。",
          "数量 运维监控点位 ≥850个", "质量 监控点位在线率 ≥95%", "时效 故障修复时间 ≤24小时",
          "社会 可防性案件发案率 有效下降", "满意度 群众安全感满意度 ≥95%"),
        P("道路交通安全管理", "湟源县公安局交通警察大队", 90,
          "开展交通安全宣传和违法行为整治，预防较大以上道路交通事故。",
          "数量 开展交通安全宣传 ≥80场次", "数量 查处交通违法行为 ≥12000起", "质量 交通事故死亡人数 同比下降",
          "社会 较大以上道路交通事故 0起", "满意度 群众满意度 ≥90%"),
        P("禁毒工作经费", "湟源县公安局", 30,
          "开展禁毒宣传教育和吸毒人员管控，遏制毒品违法犯罪。",
          "数量 开展禁毒宣传 ≥50场次", "质量 吸毒人员管控率 ≥95%", "社会 毒品案件 逐年下降",
          "满意度 群众满意度 ≥90%"),
    )),
    DeptSpec("城市管理局", "湟源县城市管理局", "330001", (
        P("城区环境卫生保洁", "湟源县环境卫生管理站", 480,
          "做好城区道路清扫保洁和生活垃圾清运，保持城区环境整洁。",
          "数量 清扫保洁面积 ≥120万平方米", "数量 清运生活垃圾 ≥2.2万吨", "质量 主次干道保洁达标率 ≥95%",
          "时效 垃圾日产日清率 100%", "生态 生活垃圾无害化处理率 ≥95%", "满意度 市民满意度 ≥85%"),
        P("城区路灯及市政设施维护", "湟源县市政管理站", 150,
          "维护城区路灯和道路设施，保障亮灯率和道路完好。",
          "数量 维护路灯 ≥3200盏", "数量 维修破损道路 ≥5000平方米", "质量 路灯亮灯率 ≥98%",
          "时效 故障处置时间 ≤24小时", "满意度 市民满意度 ≥85%"),
        P("城区园林绿化养护", "湟源县园林绿化管理站", 200,
          "做好城区绿地养护和补植，提高绿化覆盖率。",
          "数量 养护绿地面积 ≥65万平方米", "质量 苗木成活率 ≥90%", "生态 城区绿化覆盖率 ≥38%",
          "可持续 绿化养护长效机制 逐步建立", "满意度 市民满意度 ≥85%"),
    )),
)

# Indicators a unit adds to round its table off (drawn by the seed, never duplicating a name).
GENERIC_INDICATORS = (
    "时效 资金拨付及时率 ≥95%", "时效 项目完成及时率 100%", "质量 资金使用合规率 100%",
    "成本 预算执行偏差率 ≤5%", "社会 政策知晓率 ≥85%", "可持续 长效管理机制 逐步健全",
    "可持续 项目持续发挥效益 ≥5年",
)
FORCED_SCENARIOS = {  # documented examples; every other project draws its scenario from the seed
    "应急救灾物资储备": "nothing",
    "城镇老旧小区改造": "slow",
    "草原生态保护补助奖励": "ahead",
    "县人民医院医疗设备购置": "nothing",
    "湟水河湟源段中小河流治理": "slow",
}
# Documented texts for the 2023年1-7月 judgement rules (docs/metrics.md), applied after the draw so the
# seed's other numbers stay the same: (project, indicator) -> (1-7月执行情况, 全年预计完成情况).
FORCED_TEXTS = {
    # a deadline not yet due (2023年9月底前) on which work has not started: yellow, "按期完成有风险"
    ("高中智慧校园建设", "设备安装调试完成时间"): ("尚未启动", "预计按期完成"),
}


# -- simulated execution -------------------------------------------------------------------------
@dataclass
class Indicator:
    """One row of the indicator table, as the unit fills it in."""

    level1: str
    level2: str
    name: str
    target: str
    actual: Any = None
    expected: Any = None
    unit: str | None = None
    reasons: tuple[str, ...] = ()
    possibility: str = "确定能"
    reason_text: str | None = None
    remarks: str | None = None


@dataclass
class Project:
    """A filled-in form: identity, funds block (万元) and indicator rows."""

    dept: DeptSpec
    spec: ProjectSpec
    scenario: str
    funds: list[tuple[str, float, float, float]]  # (row label, 年初预算数, 1-N月执行数, 全年预计执行数)
    indicators: list[Indicator]
    filler: str
    phone: str

    @property
    def budget_total(self) -> float:
        return self.funds[0][1]

    @property
    def executed_total(self) -> float:
        return self.funds[0][2]


SCENARIOS = (  # name, weight, 1-7月 execution rate range, full-year forecast rate range, indicator progress
    ("on_track", 0.55, (0.56, 0.85), (0.95, 1.0), (0.55, 0.8)),
    ("ahead", 0.12, (0.86, 1.0), (1.0, 1.0), (0.8, 1.0)),
    ("slow", 0.23, (0.12, 0.45), (0.7, 0.95), (0.25, 0.5)),
    ("nothing", 0.10, (0.0, 0.0), (0.3, 0.85), (0.0, 0.2)),
)
REASON_DETAILS = {
    "经费保障": ("上级资金尚未下达，县级配套资金到位较晚", "资金拨付进度滞后，影响项目推进"),
    "制度保障": ("实施方案批复较晚，政府采购流程较长", "项目招标尚未完成，合同未签订"),
    "人员保障": ("专业技术人员不足，工作衔接不及时", "人员调整较大，业务人员不熟悉"),
    "硬件条件保障": ("设备供货延迟，安装调试未完成", "受场地条件限制，施工进度受影响"),
    "其他": ("受高原气候影响，有效施工期短", "服务对象需求变化，实际发生数低于预期"),
}
MEASURES = (
    "加快资金拨付进度，督促施工单位倒排工期，确保年底前完成。",
    "已与供应商沟通，督促9月底前到货并完成验收。",
    "积极向上级部门争取资金，四季度集中推进。",
    "调整实施计划，加强人员培训，充实工作力量。",
    "拟申请调整预算，将无法执行的资金交回财政统筹。",
    "加强与相关部门沟通协调，尽快完成招标采购程序。",
)
FILLERS = ("李明霞", "王海燕", "马晓东", "张永福", "祁生梅", "韩秀英", "陈国栋", "冶成林", "李积善", "汪文静",
           "杨春花", "保玉兰", "苏建华", "朱海青", "刘德胜", "星永红")
TARGET_RE = re.compile(r"^(≥|≤)?(\d+(?:\.\d+)?)(.*)$")
ON_TRACK_TEXTS = ("正在推进", "按计划推进", "达到预期", "阶段性完成")
ON_TRACK_FORECASTS = ("达到预期", "预计达到", "按期完成")
DEVIATION_TEXTS = ("部分达到", "尚未实施", "效果尚未显现")
DEVIATION_FORECASTS = ("基本达到", "部分达到", "难以达到")


def target_shape(text: str) -> tuple[str, str, float | None, str]:
    """(kind, direction, value, unit) of a catalog target, used to invent plausible actuals.

    kind: qual (text or a date), rate (% or ‰), zero (0起), standard (a price or
    allowance: met exactly), down (≤ time or cost), count (cumulative quantity).
    """
    m = TARGET_RE.match(text)
    if not m or "月" in m.group(3):
        return "qual", "up", None, ""
    sign, value, unit = m.group(1), float(m.group(2)), m.group(3)
    direction = {"≥": "up", "≤": "down"}.get(sign or "", "eq")
    if unit in ("%", "‰"):
        return "rate", direction, value, unit
    if direction == "eq" and value == 0:
        return "zero", direction, value, unit
    if "/" in unit or unit == "年" or unit in ("元", "万元") and direction == "eq" or unit == "元" and direction == "up":
        return ("down" if direction == "down" else "standard"), direction, value, unit
    if direction == "down":
        return "down", direction, value, unit
    return "count", direction, value, unit


def _like(value: float, template: float) -> float:
    """Round ``value`` the way the target is written (whole numbers stay whole)."""
    if float(template).is_integer() and template >= 10:
        return float(round(value))
    decimals = len(f"{template}".split(".")[1]) if "." in f"{template}" else 0
    return round(value, max(decimals, 1))


def _measures(kind: str, direction: str, value: float | None, progress: float,
              deviation: float, rng: random.Random) -> tuple[Any, Any]:
    """(1-7月 actual, full-year forecast); ``deviation`` 0 = on target, 0.1-0.5 = short of it."""
    if kind == "qual":
        if deviation:
            return rng.choice(DEVIATION_TEXTS), rng.choice(DEVIATION_FORECASTS[:2] if deviation < 0.3 else DEVIATION_FORECASTS[1:])
        return rng.choice(ON_TRACK_TEXTS), rng.choice(ON_TRACK_FORECASTS)
    assert value is not None
    if kind == "zero":
        return 0.0, 0.0
    if kind == "standard":
        return value, value
    if kind == "down":
        if deviation:
            return _like(value * (1 + deviation * rng.uniform(0.8, 1.2)), value), _like(value * (1 + deviation), value)
        return _like(value * rng.uniform(0.6, 0.95), value), _like(value * rng.uniform(0.7, 1.0), value)
    if kind == "rate":
        ceiling = 100.0 if value <= 100 else value * 1.2
        if direction == "down":
            bad = value * (1 + deviation) if deviation else value * rng.uniform(0.7, 0.98)
            return _like(bad * rng.uniform(0.9, 1.0), value), _like(bad, value)
        if deviation:
            forecast = value * (1 - deviation / 3)
            return round(forecast * rng.uniform(0.9, 1.0), 1), round(forecast, 1)
        top = min(ceiling, value + max(1.0, (ceiling - value) * 0.8))
        return round(rng.uniform(value, top), 1) if value < ceiling else value, \
            round(rng.uniform(value, top), 1) if value < ceiling else value
    # cumulative count
    forecast = value * (1 - deviation) if deviation else value * (rng.uniform(1.0, 1.25) if rng.random() < 0.12 else 1.0)
    actual = min(forecast, value * progress * rng.uniform(0.85, 1.15))
    return _like(actual, value), _like(forecast, value)


def _split(total: float, shares: list[float]) -> list[float]:
    """Split ``total`` (two decimals) into parts by ``shares`` so that the parts add up exactly."""
    cents = round(total * 100)
    parts = [round(cents * s) for s in shares[:-1]]
    parts.append(cents - sum(parts))
    return [p / 100 for p in parts]


def simulate_funds(spec: ProjectSpec, scenario: str, rng: random.Random) -> list[tuple[str, float, float, float]]:
    """Funds block rows in 万元: budget = fiscal + carry-over + other, executed ≤ forecast ≤ budget."""
    _, _, exec_range, forecast_range, _ = next(s for s in SCENARIOS if s[0] == scenario)
    budget = round(spec.scale * rng.uniform(0.75, 1.25), 2)
    draw = rng.random()
    carry = rng.uniform(0.1, 0.4) if 0.68 <= draw < 0.88 else 0.0
    other = rng.uniform(0.05, 0.3) if draw >= 0.88 else 0.0
    parts = _split(budget, [1 - carry - other, carry, other])
    exec_rate, forecast_rate = rng.uniform(*exec_range), rng.uniform(*forecast_range)
    executed = [round(p * exec_rate, 2) for p in parts]
    expected = [max(e, round(p * forecast_rate, 2)) for p, e in zip(parts, executed)]
    labels = ("其中：当年财政拨款", "上年结转资金", "其他资金")
    rows = [("年度资金总额", round(sum(parts), 2), round(sum(executed), 2), round(sum(expected), 2))]
    rows += [(label, p, e, x) for label, p, e, x in zip(labels, parts, executed, expected)]
    return rows


def indicator_list(spec: ProjectSpec, rng: random.Random) -> list[tuple[str, str, str]]:
    """(二级key, 三级指标, 年度指标值) rows: the approved ones plus generic ones, 6-12, framework order."""
    rows = [tuple(text.split(" ", 2)) for text in spec.indicators]
    names = {name for _, name, _ in rows}
    extra = [tuple(t.split(" ", 2)) for t in GENERIC_INDICATORS if t.split(" ", 2)[1] not in names]
    rng.shuffle(extra)
    wanted = min(12, max(6, len(rows) + rng.randint(0, 3)))
    rows += extra[: max(0, wanted - len(rows))]
    return sorted(rows, key=lambda row: LEVEL2_ORDER.index(row[0]))


def _deviation_plan(kinds: list[str], level2s: list[str], scenario: str, rng: random.Random) -> dict[int, float]:
    """Which indicators fall short of their target, and by how much (0.1 mild … 0.5 severe).

    Quantities, deadlines and qualitative effects lag when money or procurement is late;
    satisfaction surveys are not part of the deviation (they are done at the end of the year).
    """
    count = {"on_track": 1 if rng.random() < 0.15 else 0, "ahead": 0,
             "slow": rng.randint(1, 2), "nothing": rng.randint(2, 3)}[scenario]
    candidates = [i for i, (kind, level2) in enumerate(zip(kinds, level2s))
                  if kind in ("count", "rate", "qual", "down") and level2 != "服务对象满意度指标"]
    rng.shuffle(candidates)
    severe = scenario == "nothing" and rng.random() < 0.5
    plan = {}
    for n, i in enumerate(candidates[:count]):
        plan[i] = rng.uniform(0.35, 0.5) if severe and n == 0 else rng.uniform(0.08, 0.25)
    return plan


def _explain(ind: Indicator, deviation: float, scenario: str, rng: random.Random) -> None:
    """Tick reasons, write 原因说明 and 备注, and set a possibility consistent with the shortfall."""
    pool = ["经费保障", "制度保障"] if scenario == "nothing" else list(REASONS)
    reasons = sorted(rng.sample(pool, rng.randint(1, 2)), key=REASONS.index)
    ind.reasons = tuple(reasons)
    ind.reason_text = "；".join(rng.choice(REASON_DETAILS[r]) for r in reasons)
    ind.possibility = "完全不可能" if deviation >= 0.35 else "有可能"
    ind.remarks = rng.choice(MEASURES)


def simulate_project(dept: DeptSpec, spec: ProjectSpec, seed: int) -> Project:
    """Draw one project's funds, actuals, forecasts and explanations from its own generator."""
    rng = random.Random(f"{seed}|{dept.name}|{spec.name}")
    scenario = FORCED_SCENARIOS.get(spec.name) or rng.choices([s[0] for s in SCENARIOS], [s[1] for s in SCENARIOS])[0]
    funds = simulate_funds(spec, scenario, rng)
    progress_range = next(s[4] for s in SCENARIOS if s[0] == scenario)
    rows = indicator_list(spec, rng)
    shapes = [target_shape(target) for _, _, target in rows]
    plan = _deviation_plan([shape[0] for shape in shapes], [LEVEL2[key][1] for key, _, _ in rows], scenario, rng)
    indicators = []
    for i, ((key, name, target), (kind, direction, value, unit)) in enumerate(zip(rows, shapes)):
        level1, level2 = LEVEL2[key]
        actual, expected = _measures(kind, direction, value, rng.uniform(*progress_range), plan.get(i, 0.0), rng)
        actual, expected = FORCED_TEXTS.get((spec.name, name), (actual, expected))
        ind = Indicator(level1, level2, name, target, actual, expected, unit or None)
        if i in plan:
            _explain(ind, plan[i], scenario, rng)
        indicators.append(ind)
    phone = f"0971-24{rng.randint(10000, 99999)}"
    return Project(dept, spec, scenario, funds, indicators, rng.choice(FILLERS), phone)


def draft_of(project: Project) -> Project:
    """An earlier version of a form: July payments not booked yet, so 1-7月执行数 is lower."""
    funds = [(label, budget, round(executed * 0.8, 2), expected)
             for label, budget, executed, expected in project.funds]
    funds[0] = (funds[0][0], funds[0][1], round(sum(f[2] for f in funds[1:]), 2), funds[0][3])
    return replace(project, funds=funds)


# -- layout ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Style:
    """How a unit laid its form out; the defaults give the central template of the notice."""

    period: str = "1-7月"
    money_unit: str = "万元"  # 元: amounts ×10000, '单位：元', '项目资金（元）'
    level_fill: str = "merged"  # merged | repeat | first (一级/二级 only on a group's first row)
    short_levels: bool = False  # 产出 / 数量 instead of 产出指标 / 数量指标
    tick: str | tuple[str, ...] = "√"  # a tuple mixes marks within the file
    reasons_as: str = "ticks"  # ticks (five columns) | text (one column)
    possibility_as: str = "ticks"  # ticks (three columns) | text (one column)
    headers: str = "plain"  # plain | breaks (line breaks) | spaced (年 度 指 标 值)
    comparators: str = "symbols"  # symbols (≥ ≤) | ascii (>= <=) | words (不低于, 以内 …)
    fullwidth: bool = False  # ９５％ and （３２１００１）
    amounts_as_text: bool = False  # '1,234.50' typed as text
    values_as_text: bool = False  # actuals typed with their unit: '96%', '850人'
    percent_cells: bool = False  # 0.95 shown with a % number format
    rate: str = "value"  # value | formula (=F7/C7 and SUM, saved without results)
    code: str = "paren"  # paren: 湟源县X（302001） | labelled: （代码：302001）
    inline_name: bool = False  # '项目名称：XXX' in one merged cell
    blank_rows: bool = False  # a blank row between 二级 groups
    zero_as_blank: bool = False  # empty 上年结转资金 / 其他资金 cells instead of 0
    per_sheet: int = 1  # projects stacked on one sheet
    sheet_names: str = "project"  # project | numbered (项目1, 项目2 …)


BREAKS = {
    "一级指标": "一级\n指标", "二级指标": "二级\n指标", "三级指标": "三级\n指标", "年度指标值": "年度\n指标值",
    "全年预计完成情况": "全年预计\n完成情况", "偏差原因分析": "偏差原因\n分析", "完成目标可能性": "完成目标\n可能性",
    "原因说明": "原因\n说明", "经费保障": "经费\n保障", "制度保障": "制度\n保障", "人员保障": "人员\n保障",
    "硬件条件保障": "硬件条件\n保障", "完全不可能": "完全\n不可能", "年初预算数": "年初\n预算数",
    "全年预计执行数": "全年预计\n执行数",
}
FULLWIDTH = str.maketrans("0123456789%.", "０１２３４５６７８９％．")
NOTES = ("注：1.偏差原因分析：针对与预期目标产生偏差的指标值，分别从经费保障、制度保障、人员保障、硬件条件保障等方面进行分析，"
         "在对应栏内打“√”，可多选。2.完成目标可能性：对照年度指标值，判断全年完成目标的可能性，在“确定能”“有可能”"
         "“完全不可能”对应栏内打“√”。3.原因说明：说明预计到年底不能完成目标的原因及拟采取的措施。")


def header_text(style: Style, text: str) -> str:
    """A header as the unit typed it: line-broken or with spaces between the characters."""
    mode, period = style.headers, style.period
    if mode == "breaks":
        if text.startswith(period):
            return f"{period}\n{text[len(period):]}"
        return BREAKS.get(text, text)
    if mode == "spaced" and len(text) >= 4:
        head = period if text.startswith(period) else ""
        return head + " ".join(text[len(head):])
    return text


def form_style(style: Style) -> FormStyle:
    """The layout part of a demo style, for the shared form painter."""
    def relabel(texts):
        return {key: header_text(style, text) for key, text in texts.items()}

    return FormStyle(
        period=style.period, money_unit=style.money_unit, inline_name=style.inline_name,
        headers=relabel(indicator_headers(style.period)), fund_headers=relabel(fund_headers(style.period)),
        reasons_as=style.reasons_as, possibility_as=style.possibility_as,
        reason_labels=tuple(header_text(style, r) for r in REASONS),
        possibility_labels=tuple(header_text(style, p) for p in LEVELS),
        level_fill=style.level_fill, blank_rows=style.blank_rows, fund_remarks=True,
        formulas="uncached" if style.rate == "formula" else None, blank_rate_without_budget=True)


@dataclass
class Clerk:
    """Types one project into the form the way the unit's clerk does (``style``'s content quirks).

    ``rng`` picks comparator wordings and mixed tick marks, cell by cell in reading order.
    """

    style: Style
    rng: random.Random

    def form(self, project: Project) -> Form:
        spec = project.spec
        return Form(spec.name, self._dept_text(project.dept), spec.unit, spec.goal,
                    [self._fund_row(i, *row) for i, row in enumerate(project.funds)],
                    [self._indicator(ind) for ind in project.indicators],
                    NOTES, (f"填报人：{project.filler}", f"联系电话：{project.phone}"))

    def _dept_text(self, dept: DeptSpec) -> str:
        code = dept.code.translate(FULLWIDTH) if self.style.fullwidth else dept.code
        return f"{dept.name}（代码：{code}）" if self.style.code == "labelled" else f"{dept.name}（{code}）"

    # -- funds -------------------------------------------------------------------------------
    def _fund_row(self, i: int, label: str, budget: float, executed: float, expected: float) -> FundRow:
        rate = round(executed / budget, 4) if budget else None
        return FundRow(label, *(self._amount(i, amount) for amount in (budget, executed, expected)), rate)

    def _amount(self, i: int, amount: float) -> Any:
        """An amount cell; ``i`` 0 is 年度资金总额 (never left blank)."""
        s = self.style
        if amount == 0 and s.zero_as_blank and i > 0:
            return None
        value = round(amount * 10000, 2) if s.money_unit == "元" else amount
        if s.amounts_as_text:
            return f"{value:,.2f}" if not value.is_integer() else f" {int(value)} "
        return value

    # -- indicators --------------------------------------------------------------------------
    def _indicator(self, ind: Indicator) -> IndicatorRow:
        s = self.style
        cells = {"name": ind.name, "target": self._target(ind.target),
                 "actual": self._measure(ind.actual, ind.unit), "expected": self._measure(ind.expected, ind.unit),
                 "reason_text": ind.reason_text, "remarks": ind.remarks}
        ticks = {}
        if s.reasons_as == "ticks":
            ticks.update((reason, self._tick()) for reason in REASONS if reason in ind.reasons)
        else:
            cells["reasons"] = self._reasons_text(ind)
        if s.possibility_as == "ticks":
            ticks[ind.possibility] = self._tick()
        else:
            cells["possibility"] = "不可能" if ind.possibility == "完全不可能" else ind.possibility
        return IndicatorRow(self._level(ind.level1), self._level(ind.level2), cells, ticks)

    def _level(self, text: str) -> str:
        return text.removesuffix("指标").removeprefix("服务对象") if self.style.short_levels else text

    def _target(self, text: str) -> Any:
        style = self.style
        if style.percent_cells and re.fullmatch(r"\d+(\.\d+)?%", text):
            return Formatted(float(text[:-1]) / 100, "0%")
        if style.comparators == "ascii":
            text = text.replace("≥", ">=").replace("≤", "<=")
        elif style.comparators == "words" and text[:1] in "≥≤":
            number = text[1:]
            if text[0] == "≥":
                words = ("不低于{}", "{}以上") if number.endswith("%") else ("不少于{}", "{}以上")
            else:
                words = ("不超过{}", "{}以内", "控制在{}以内")
            text = self.rng.choice(words).format(number)
        return text.translate(FULLWIDTH) if style.fullwidth else text

    def _measure(self, value: Any, unit: str | None) -> Any:
        if not isinstance(value, float):
            return value
        number = int(value) if value.is_integer() else value
        if self.style.percent_cells and unit == "%":
            return Formatted(value / 100, "0%" if value.is_integer() else "0.0%")
        if self.style.values_as_text:
            return f"{number}{unit or ''}"
        return number

    def _tick(self) -> str:
        tick = self.style.tick
        return tick if isinstance(tick, str) else self.rng.choice(tick)

    @staticmethod
    def _reasons_text(ind: Indicator) -> str | None:
        """One text cell: the categories, then the first explanation ('经费保障、制度保障：…')."""
        if not ind.reasons:
            return None
        return f"{'、'.join(ind.reasons)}：{(ind.reason_text or '').split('；')[0]}"


# -- submissions -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Submission:
    """One received file: where it is saved, what it holds, how it is laid out, when it came."""

    path: str  # relative to the output folder; never depends on the seed
    dept: str | None  # DeptSpec.short
    sent: str  # received at (Beijing time), becomes the file's modification time
    note: str  # what the file exercises (Chinese, shown in docs/demo.md)
    style: Style = Style()
    projects: tuple[int, ...] | None = None  # indices into the department's projects; None = all
    kind: str = "form"  # form | truncated | word | empty | payroll
    extras: tuple[str, ...] = ()  # instructions (填报说明 sheet) | dropdowns (hidden 下拉列表 sheet)
    draft: tuple[int, ...] = ()  # projects written in an earlier, later corrected version

    @property
    def expected_status(self) -> str:
        return "ok" if self.kind == "form" else "failed"


BOTH_EXTRAS = ("instructions", "dropdowns")
SUBMISSIONS: tuple[Submission, ...] = (
    Submission("教育局/湟源县教育局2023年1-7月项目支出绩效监控表.xlsx", "教育局", "2023-08-28 10:12",
               "规范模板，一个项目一张工作表；合并的一级/二级指标单元格；√；填报说明页和隐藏的下拉列表页",
               projects=(0, 1, 2, 3), extras=BOTH_EXTRAS),
    Submission("教育局/湟源县第一中学项目支出绩效监控表.xlsx", "教育局", "2023-08-29 17:40",
               "由实施单位（县一中）直接报送；一级/二级指标每行重复填写", Style(level_fill="repeat"), projects=(4, 5)),
    Submission("卫生健康局/卫生健康局监控表（终稿）.xlsx", "卫生健康局", "2023-08-30 09:05",
               "表头文字带换行；✓；一级/二级每行重复；填报说明页和隐藏的下拉列表页",
               Style(headers="breaks", tick="✓", level_fill="repeat"), projects=(0, 1, 2, 3), extras=BOTH_EXTRAS),
    Submission("卫生健康局/县疾控中心1-7月绩效监控表.xlsx", "卫生健康局", "2023-08-25 15:31",
               "实施单位（疾控中心）单独报送；工作表名为项目1、项目2", Style(sheet_names="numbered"), projects=(4, 5)),
    Submission("民政局/民政局项目支出绩效目标执行监控表.xlsx", "民政局", "2023-08-29 11:20",
               "百分数存为0.95并设置%格式；“是”作为勾选标记；上年结转/其他资金为0时留空",
               Style(percent_cells=True, tick="是", zero_as_blank=True)),
    Submission("人社局/人社局监控表2023.xlsx", "人社局", "2023-08-30 16:48",
               "金额以文本填写（'1,234.50'）；执行情况带单位写成文本（'850人'、'96%'）；指标组之间有空行",
               Style(amounts_as_text=True, values_as_text=True, blank_rows=True)),
    Submission("农业农村和科技局/农业农村和科技局绩效监控（1-7月）.xlsx", "农业农村和科技局", "2023-08-31 10:02",
               "一级/二级只填在每组第一行；表头字间有空格（年 度 指 标 值）；全角数字（≥９５％、（３２１００１））；✔",
               Style(level_fill="first", headers="spaced", fullwidth=True, tick="✔")),
    Submission("水利局/水利局2023年项目绩效运行监控.xls", "水利局", "2023-08-28 18:15",
               "WPS 保存的旧版 .xls；比较符写成 >= 和 <=", Style(comparators="ascii")),
    Submission("交通运输局/交通运输局_农村公路养护等项目执行监控表.xlsx", "交通运输局", "2023-08-29 09:47",
               "年度资金总额和执行率为公式（=SUM、=F7/C7），未保存计算结果；比较符用文字（不低于、以上、以内）",
               Style(rate="formula", comparators="words")),
    Submission("住房和城乡建设局/住房和城乡建设局_监控表（单位：元）.xlsx", "住房和城乡建设局", "2023-08-30 14:26",
               "金额以元填报（单位：元，项目资金（元））", Style(money_unit="元")),
    Submission("自然资源局/自然资源局绩效监控表.xlsx", "自然资源局", "2023-08-31 11:37",
               "部门代码写成（代码：316001）；偏差原因和完成目标可能性各写在一列文字里（“不可能”）；填报说明页",
               Style(code="labelled", reasons_as="text", possibility_as="text"), extras=("instructions",)),
    Submission("生态环境分局/生态环境局湟源分局1-7月监控表.xlsx", "生态环境分局", "2023-08-28 16:03",
               "规范模板"),
    Submission("文体旅游广电局/文体旅游广电局监控表.xlsx", "文体旅游广电局", "2023-08-30 10:55",
               "两个项目上下堆叠在同一张工作表；一级/二级写简称（产出、数量）",
               Style(short_levels=True, per_sheet=2)),
    Submission("应急管理局/应急管理局_项目支出绩效目标执行监控表.xlsx", "应急管理局", "2023-08-29 15:12",
               "规范模板；应急物资储备项目1-7月尚未支出；空的结转/其他资金", Style(zero_as_blank=True)),
    Submission("市场监督管理局/市场监督管理局监控表.xlsx", "市场监督管理局", "2023-08-28 11:44",
               "勾选标记混用 √ ✔ 是", Style(tick=("√", "✔", "是"))),
    Submission("医疗保障局/医疗保障局监控表.xlsx", "医疗保障局", "2023-08-25 10:30",
               "第一次报送；其中“城乡医疗救助”的执行数有误，后来单独重报", draft=(0,)),
    Submission("医疗保障局/医疗保障局监控表（修改后）.xlsx", "医疗保障局", "2023-08-30 17:02",
               "同一项目的重新报送（时间较晚，替代第一次报送中的该项目）", projects=(0,)),
    Submission("退役军人事务局/退役军人事务局监控表.xlsx", "退役军人事务局", "2023-08-24 16:20",
               "损坏的文件（下载不完整，只有前半截）", kind="truncated"),
    Submission("退役军人事务局/退役军人事务局监控表（重发）.xlsx", "退役军人事务局", "2023-08-28 08:58",
               "损坏后重新发送的完好文件；项目名称写成“项目名称：XXX”一格", Style(inline_name=True)),
    Submission("林业和草原局/林业和草原局2023年1-8月绩效监控表.xlsx", "林业和草原局", "2023-09-04 09:30",
               "迟报，按1-8月填写（表头“1-8月执行数”“1-8月执行情况”）", Style(period="1-8月")),
    Submission("乡村振兴局/乡村振兴局项目支出绩效监控表.xlsx", "乡村振兴局", "2023-08-30 12:18",
               "规范模板；隐藏的下拉列表页", extras=("dropdowns",)),
    Submission("财政局/财政局监控表.xlsx", "财政局", "2023-08-25 17:55", "规范模板"),
    Submission("发展和改革局/发改局2023年1-7月绩效运行监控表.xlsx", "发展和改革局", "2023-08-29 10:40", "规范模板"),
    Submission("发展和改革局/湟源县发展和改革局绩效运行监控报告.xlsx", "发展和改革局", "2023-08-29 10:41",
               "Word 写的绩效监控报告，扩展名被改成 .xlsx", kind="word"),
    Submission("工业商务和信息化局/工信局项目支出绩效监控表（1-7月）.xlsx", "工业商务和信息化局", "2023-08-31 15:09",
               "一级/二级每行重复；✓", Style(level_fill="repeat", tick="✓")),
    Submission("司法局/湟源县司法局绩效监控表.xlsx", "司法局", "2023-08-28 14:36", "规范模板"),
    Submission("公安局/公安局2023年1-7月项目绩效监控.xlsx", "公安局", "2023-08-31 09:14",
               "规范模板；装备购置项目按2021年指标体系把成本指标列为一级指标（经济成本指标）"),
    Submission("城市管理局/城市管理局监控表.xlsx", "城市管理局", "2023-08-30 11:03", "规范模板"),
    Submission("城市管理局/城市管理局2023年7月工资表.xlsx", "城市管理局", "2023-08-30 11:05",
               "误发的工资表（不是监控表）", kind="payroll"),
    Submission("新建 Microsoft Excel 工作表.xlsx", None, "2023-08-31 18:22",
               "空文件（0 字节），邮件附件未保存成功", kind="empty"),
)


def received(sent: str) -> float:
    """Epoch seconds of a 'YYYY-MM-DD HH:MM' Beijing time."""
    return dt.datetime.strptime(sent, "%Y-%m-%d %H:%M").replace(tzinfo=CHINA_TZ).timestamp()


# -- sheets ------------------------------------------------------------------------------------
def sheet_title(project: Project) -> str:
    """A short sheet name from the project name (Excel allows 31 characters, no brackets)."""
    name = re.sub(r"[（(].*?[）)]", "", project.spec.name)
    return re.sub(r"[\[\]:*?/\\]", "", name)[:15]


def form_sheets(projects: list[Project], style: Style, rng: random.Random) -> list[Canvas]:
    """The form sheets of a workbook: one project per sheet, or ``style.per_sheet`` stacked."""
    groups = [projects[i:i + style.per_sheet] for i in range(0, len(projects), style.per_sheet)]
    sheets, clerk, layout = [], Clerk(style, rng), form_style(style)
    for n, group in enumerate(groups, start=1):
        if style.per_sheet > 1:
            name = "监控表" if len(groups) == 1 else f"监控表{n}"
        elif style.sheet_names == "numbered":
            name = f"项目{n}"
        else:
            name = sheet_title(group[0])
        canvas = Canvas(name)
        row = 1
        for i, project in enumerate(group):
            row = paint_form(canvas, clerk.form(project), layout, row + (2 if i else 0))
        sheets.append(canvas)
    return sheets


def instruction_sheet(period: str) -> Canvas:
    lines = (
        "填报说明",
        "一、本表按项目填报，每个项目填写一张《项目支出绩效目标执行监控表》。",
        f"二、金额单位为万元，保留两位小数；“{period}执行率”={period}执行数÷年初预算数。",
        "三、项目名称、主管部门及代码、实施单位应与预算批复一致。",
        "四、一级指标、二级指标、三级指标及年度指标值应与年初批复的绩效目标一致，不得随意调整。",
        "五、偏差原因分析、完成目标可能性在对应栏内打“√”；预计不能完成目标的，须在“原因说明”栏说明原因及拟采取的措施。",
        "六、请于2023年8月30日前报送县财政局预算绩效管理室（电子版发送至639671126@qq.com）。",
    )
    return rows_sheet("填报说明", [[line] for line in lines], width=10)


def dropdown_sheet() -> Canvas:
    canvas = Canvas("下拉列表", hidden=True)
    columns = (("√",), LEVELS, ("产出指标", "效益指标", "满意度指标", "成本指标"),
               tuple(level2 for _, level2 in LEVEL2.values()), REASONS)
    for c, values in enumerate(columns, start=1):
        for r, value in enumerate(dict.fromkeys(values), start=1):
            canvas.put(r, c, value)
    return canvas


def payroll_sheet(rng: random.Random) -> Canvas:
    """An unrelated spreadsheet a clerk attached by mistake: the July payroll."""
    canvas = Canvas("7月工资")
    canvas.put(1, 1, "湟源县城市管理局2023年7月工资发放表", width=10)
    head = ("序号", "姓名", "岗位", "基本工资", "薪级工资", "津贴补贴", "应发合计", "代扣社保", "代扣公积金", "实发工资")
    for c, text in enumerate(head, start=1):
        canvas.put(2, c, text)
    for i, name in enumerate(FILLERS[:12], start=1):
        basic, grade, allowance = rng.choice((2410, 2650, 2980, 3250)), rng.randint(900, 2600), rng.randint(1800, 3600)
        gross = basic + grade + allowance
        social, fund = round(gross * 0.105, 2), round(gross * 0.12, 2)
        row = (i, name, rng.choice(("科员", "办事员", "二级主任科员", "四级主任科员")), basic, grade, allowance,
               gross, social, fund, round(gross - social - fund, 2))
        for c, value in enumerate(row, start=1):
            canvas.put(2 + i, c, value)
    return canvas


# -- writers -----------------------------------------------------------------------------------
COLUMN_WIDTHS = {1: 10, 2: 12, 3: 22, 4: 13, 5: 13, 6: 13, 15: 26, 16: 26}


def render_xlsx(sheets: list[Canvas], when: dt.datetime) -> bytes:
    """An .xlsx as Excel saves it, except that formulas carry no cached result (as openpyxl writes)."""
    properties = {"creator": "Administrator", "created": when.replace(tzinfo=None)}
    return freeze_zip(xlsx_bytes(sheets, COLUMN_WIDTHS, properties=properties), when)


def freeze_zip(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite a zip package with fixed entry dates and document times, so output is reproducible."""
    stamp = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "docProps/core.xml":
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rf"\g<1>{stamp}", content.decode("utf-8"))
                content = text.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return out.getvalue()


def render_xls(sheets: list[Canvas]) -> bytes:
    """A BIFF8 .xls (as WPS saves it)."""
    return xls_bytes(sheets, COLUMN_WIDTHS)


def render_word_report(dept: DeptSpec, when: dt.datetime) -> bytes:
    """A minimal .docx: the department's monitoring report (附件1), sent with an .xlsx name."""
    paragraphs = (
        f"{dept.name}2023年1-7月项目支出绩效运行监控报告",
        "一、绩效运行监控工作组织实施情况",
        "我局高度重视绩效运行监控工作，成立了工作领导小组，对照年初批复的绩效目标逐项开展监控。",
        "二、预算执行进度和绩效目标完成情况",
        "（一）预算资金执行情况。截至7月31日，各项目资金按进度拨付。",
        "（二）绩效目标完成情况。大部分绩效指标按序时进度推进。",
        "三、存在问题",
        "部分项目前期手续办理时间较长，资金支付进度偏慢。",
        "四、整改措施和建议",
        "加快项目实施进度，督促资金及时支付。",
        "五、其他需要说明的问题",
        "无。",
    )
    body = "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in paragraphs)
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>'),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>"),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=when.timetuple()[:6]), text.encode("utf-8"))
    return out.getvalue()


def render_submission(sub: Submission, county: dict[str, list[Project]], seed: int,
                      catalog: tuple[DeptSpec, ...] = CATALOG) -> bytes:
    """The bytes of one received file."""
    when = dt.datetime.strptime(sub.sent, "%Y-%m-%d %H:%M").replace(tzinfo=CHINA_TZ)
    rng = random.Random(f"{seed}|{sub.path}")
    if sub.kind == "empty":
        return b""
    dept = next((d for d in catalog if d.short == sub.dept), None)
    if sub.kind == "word":
        return render_word_report(dept, when)
    if sub.kind == "payroll":
        return render_xlsx([payroll_sheet(rng)], when)
    projects = county[sub.dept]
    chosen = [draft_of(projects[i]) if i in sub.draft else projects[i]
              for i in (sub.projects if sub.projects is not None else range(len(projects)))]
    sheets = form_sheets(chosen, sub.style, rng)
    if "instructions" in sub.extras:
        sheets.insert(0, instruction_sheet(sub.style.period))
    if "dropdowns" in sub.extras:
        sheets.append(dropdown_sheet())
    if sub.path.endswith(".xls"):
        return render_xls(sheets)
    data = render_xlsx(sheets, when)
    return data[: len(data) * 55 // 100] if sub.kind == "truncated" else data


def simulate_county(seed: int = 2023, catalog: tuple[DeptSpec, ...] = CATALOG) -> dict[str, list[Project]]:
    """Every department's projects (DeptSpec.short -> projects in catalog order)."""
    return {dept.short: [simulate_project(dept, spec, seed) for spec in dept.projects] for dept in catalog}


def write_demo_county(out_dir: Path, seed: int = 2023, county: str | None = None) -> list[Path]:
    """Write the demo county's submissions under ``out_dir`` and return their paths.

    Only the files listed in :data:`SUBMISSIONS` are (over)written; anything else in the
    folder is left alone. The same seed gives the same bytes and modification times.
    ``county`` (e.g. "乐都区") writes the same mix of files for another county of a province:
    its name replaces 湟源县 in every department, unit, project and file name (see :func:`renamed`).
    """
    out_dir = Path(out_dir)
    catalog = CATALOG if county is None else county_catalog(county)
    submissions = SUBMISSIONS if county is None else tuple(replace(s, path=renamed(s.path, county)) for s in SUBMISSIONS)
    simulated = simulate_county(seed, catalog)
    paths = []
    for sub in submissions:
        path = out_dir / sub.path
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.unlink()
        path.write_bytes(render_submission(sub, simulated, seed, catalog))
        stamp = received(sub.sent)
        os.utime(path, (stamp, stamp))
        paths.append(path)
    return paths


# -- other counties (province-scale batches) ----------------------------------------------------
DEMO_COUNTY = "湟源县"
DEMO_COUNTY_STEM = "湟源"  # as in 湟水河湟源段, 生态环境局湟源分局
# Syllables of invented county names: 20 × 20 = 400 distinct names, enough for any province.
COUNTY_NAME_FIRST = "安长平永清新宁东西南北和兴泰丰华云山河阳"
COUNTY_NAME_SECOND = "城乐源川台都江原林泉宁德化远定昌顺康兴丰"


def county_names(count: int) -> list[str]:
    """``count`` distinct, invented county names ('安城县', '安乐县' …), never the demo county's."""
    names = [f"{a}{b}县" for a in COUNTY_NAME_FIRST for b in COUNTY_NAME_SECOND if a != b]
    names = [name for name in names if name != DEMO_COUNTY]
    if count > len(names):
        raise ValueError(f"at most {len(names)} invented county names, asked for {count}")
    return names[:count]


def renamed(text: str, county: str) -> str:
    """``text`` as in ``county``: '湟源县教育局' -> '乐都区教育局', '湟源分局' -> '乐都分局'."""
    return text.replace(DEMO_COUNTY, county).replace(DEMO_COUNTY_STEM, county[:-1])


def county_catalog(county: str) -> tuple[DeptSpec, ...]:
    """:data:`CATALOG` of another county: the same departments and projects under that county's names.

    A unit named without its county (城关镇卫生院) gets the county in front, as in its full name: the
    ingest takes the same unit and project in two files for a re-submission, so two counties' units
    must not share a name in one batch.
    """
    def unit(name: str) -> str:
        name = renamed(name, county)
        return name if county[:-1] in name else f"{county}{name}"

    def project(spec: ProjectSpec) -> ProjectSpec:
        return replace(spec, name=renamed(spec.name, county), unit=unit(spec.unit), goal=renamed(spec.goal, county))

    return tuple(replace(dept, name=renamed(dept.name, county), projects=tuple(map(project, dept.projects)))
                 for dept in CATALOG)
