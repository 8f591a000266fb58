"""The bureau's fixed catalogue: the six services and the four expert groups.

They come from the bureau's own list of service items (服务事项) and the four
groups of the city's public legal service team, so they are part of the
contract rather than data an administrator edits.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

# The codes live in `codes` (no pydantic there); they stay importable from here.
from kiosk.domain.codes import HOTLINE as HOTLINE
from kiosk.domain.codes import SERVICE_ORDER as SERVICE_ORDER
from kiosk.domain.codes import ExpertGroup as ExpertGroup
from kiosk.domain.codes import ServiceCode as ServiceCode


class Service(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: ServiceCode
    name_zh: str
    name_en: str
    summary_zh: str
    summary_en: str


class ExpertGroupInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: ExpertGroup
    name_zh: str
    name_en: str


# In SERVICE_ORDER (a test checks it).
SERVICES: tuple[Service, ...] = (
    Service(
        code=ServiceCode.LEGAL_CONSULTATION,
        name_zh="法律咨询",
        name_en="Legal consultation",
        summary_zh="有法律问题，当面问律师。",
        summary_en="Ask a lawyer about a legal problem, face to face.",
    ),
    Service(
        code=ServiceCode.LEGAL_AID,
        name_zh="法律援助",
        name_en="Legal aid",
        summary_zh="打官司有困难，申请免费法律帮助。",
        summary_en="Cannot afford a lawyer? Apply for free legal help.",
    ),
    Service(
        code=ServiceCode.DUTY_LAWYER,
        name_zh="值班律师法律帮助",
        name_en="Duty lawyer help",
        summary_zh="今天值班的律师马上帮您。",
        summary_en="The lawyer on duty today helps you now.",
    ),
    Service(
        code=ServiceCode.VILLAGE_ADVISER,
        name_zh="村（居）法律顾问",
        name_en="Village legal adviser",
        summary_zh="本村的法律顾问为您解答。",
        summary_en="Your village's own legal adviser answers you.",
    ),
    Service(
        code=ServiceCode.MEDIATION,
        name_zh="人民调解",
        name_en="People's mediation",
        summary_zh="邻里、家庭纠纷，请调解员帮忙。",
        summary_en="A mediator helps settle a dispute with neighbours or family.",
    ),
    Service(
        code=ServiceCode.LEGAL_EDUCATION,
        name_zh="普法宣传",
        name_en="Legal education",
        summary_zh="了解与生活有关的法律知识。",
        summary_en="Learn about the law in everyday life.",
    ),
)

EXPERT_GROUPS: tuple[ExpertGroupInfo, ...] = (
    ExpertGroupInfo(code=ExpertGroup.LAWYER, name_zh="律师", name_en="Lawyer"),
    ExpertGroupInfo(
        code=ExpertGroup.JUDICIAL_APPRAISAL, name_zh="司法鉴定", name_en="Judicial appraiser"
    ),
    ExpertGroupInfo(code=ExpertGroup.NOTARY, name_zh="公证", name_en="Notary"),
    ExpertGroupInfo(code=ExpertGroup.ARBITRATION, name_zh="仲裁", name_en="Arbitrator"),
)
