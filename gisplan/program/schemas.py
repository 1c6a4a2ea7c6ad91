"""Pydantic schemas of programs, as in the FastAPI full-stack template: ``…In`` / ``…Create`` (what
is sent), ``…Update`` (every field optional) and ``…Public`` (what is read, with ids).

:class:`ProgramDocument` is the whole program without database ids: what an XLSX workbook holds,
what ``POST /api/programs`` takes, and what an earlier version keeps as its snapshot.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal, Optional, Union

from pydantic import (
    BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, field_validator, model_validator,
)

from ..catalog import KATOTTG_RE
from .values import MARKERS, json_number, parse_amount, parse_indicator_value

ValueSemantics = Literal["level", "increment", "project_progress_share"]
Method = Literal["layers", "registry", "manual"]
PassportForm = Literal["national_2024", "egap_2023"]
Scope = Literal["priority", "program", "passport"]
Marker = Literal[MARKERS]  # type: ignore[valid-type]


def _json_value(v):
    return json_number(v) if isinstance(v, Decimal) else v


def _amount_in(v):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
    return parse_amount(v)


def _indicator_in(v):
    if isinstance(v, bool):
        return "Так" if v else "Ні"
    if isinstance(v, (int, float)):
        return Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
    return parse_indicator_value(v)


Amount = Annotated[Union[Decimal, Marker], BeforeValidator(_amount_in),
                   PlainSerializer(_json_value, when_used="json")]
IndicatorValue = Annotated[Union[Decimal, str], BeforeValidator(_indicator_in),
                           PlainSerializer(_json_value, when_used="json")]
Number = Annotated[Decimal, PlainSerializer(_json_value, when_used="json")]


def _katottg(v: str | None) -> str | None:
    if v is not None and not KATOTTG_RE.match(v):
        raise ValueError(f"{v!r} is not a КАТОТТГ code (UA and 17 digits)")
    return v


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------------------------ passport
PASSPORT_FIELDS: list[tuple[str, str, str]] = [
    ("community", "Найменування територіальної громади (регіон)", "Community (region)"),
    ("development_decree", "Заголовок, дата, номер розпорядчого документа про розроблення проекту Програми",
     "Decree on drafting the program"),
    ("ministry_agreement", "Дата погодження проекту Програми Генеральним державним замовником "
                           "Національної програми інформатизації", "Agreed with the Ministry (date)"),
    ("approval", "Рішення про затвердження програми (дата, номер)", "Approval decision"),
    ("goal", "Мета програми", "Goal"),
    ("developer", "Розробник програми", "Developer"),
    ("head", "Керівник програми", "Program head"),
    ("executors", "Відповідальні за виконання заходів Програми", "Responsible executors"),
    ("info_center", "Інформаційно-аналітичний центр", "Information-analytical centre"),
    ("term", "Строк виконання програми", "Term"),
    ("funding_sources", "Джерела фінансування", "Funding sources"),
    ("tasks_current_year", "Кількість завдань (робіт) у поточному році", "Tasks in the current year"),
    ("tasks_next_year", "Кількість завдань (робіт) на наступний рік", "Tasks next year"),
    ("tasks_three_years", "Кількість завдань (робіт) на три наступні роки", "Tasks over three years"),
    ("signatory", "Підписант", "Signed by"),
]
PASSPORT_INT_FIELDS = {"tasks_current_year", "tasks_next_year", "tasks_three_years"}


class Passport(_Base):
    """Every field of both passport generations, all optional (programs may have no passport)."""

    community: Optional[str] = None
    development_decree: Optional[str] = None
    ministry_agreement: Optional[str] = None
    approval: Optional[str] = None
    goal: Optional[str] = None
    developer: Optional[str] = None
    head: Optional[str] = None
    executors: Optional[str] = None
    info_center: Optional[str] = None
    term: Optional[str] = None
    funding_sources: Optional[str] = None
    tasks_current_year: Optional[int] = None
    tasks_next_year: Optional[int] = None
    tasks_three_years: Optional[int] = None
    signatory: Optional[str] = None
    source_refs: dict[str, str] = Field(default_factory=dict, description="field → where it is written")


# ------------------------------------------------------------------------------ the document
class GoalIn(_Base):
    code: str
    name: str
    source_ref: Optional[str] = None


class TaskIn(_Base):
    name: str
    source_ref: Optional[str] = None


class FundingIn(_Base):
    source: Optional[str] = Field(None, description="Джерело фінансування, as written")
    amounts: dict[int, Amount] = Field(default_factory=dict, description="year → тис. грн or a marker")
    total: Optional[Amount] = Field(None, description="the row total as written in the document")
    source_ref: Optional[str] = None


class ProjectIn(_Base):
    ref: Optional[str] = Field(None, description="№ in the annex; assigned when omitted")
    name: str
    task: Optional[str] = Field(None, description="name of a task of the same priority area")
    result: Optional[str] = None
    executors: Optional[str] = None
    term: Optional[str] = None
    source_ref: Optional[str] = None
    funding: list[FundingIn] = Field(default_factory=list)


class PriorityIn(_Base):
    code: Optional[str] = Field(None, description="e.g. 1 or 1.1; assigned when omitted")
    name: str
    goal: Optional[str] = Field(None, description="code of the strategic goal (EGAP programs)")
    source_ref: Optional[str] = None
    tasks: list[TaskIn] = Field(default_factory=list)
    projects: list[ProjectIn] = Field(default_factory=list)


class IndicatorIn(_Base):
    ref: Optional[str] = Field(None, description="indicator code within the program; assigned when omitted")
    priority: Optional[str] = Field(None, description="priority area code")
    goal: Optional[str] = Field(None, description="strategic goal code (when the annex groups by goals)")
    project: Optional[str] = Field(None, description="ref of the project it measures")
    name: str
    unit: Optional[str] = None
    canonical_code: Optional[str] = None
    value_semantics: Optional[ValueSemantics] = None
    baseline: Optional[IndicatorValue] = None
    baseline_year: Optional[int] = None
    targets: dict[int, Optional[IndicatorValue]] = Field(default_factory=dict)
    declared_dynamics: Optional[str] = Field(None, description="Динаміка (+/-, %) exactly as written")
    regulation_ref: Optional[str] = None
    method: Method = "manual"
    metric: Optional[str] = None
    source_ref: Optional[str] = None


class DeclaredTotalIn(_Base):
    scope: Scope
    priority: Optional[str] = Field(None, description="priority area code (scope priority)")
    source: Optional[str] = Field(None, description="NULL = all sources («загальний обсяг»)")
    amounts: dict[int, Amount] = Field(default_factory=dict)
    total: Optional[Amount] = None
    source_ref: Optional[str] = None

    @model_validator(mode="after")
    def _scope_priority(self):
        if (self.scope == "priority") != (self.priority is not None):
            raise ValueError("priority: give it exactly when scope is priority")
        return self


class ProgramDocument(_Base):
    title: str = Field(..., min_length=1)
    hromada: Optional[str] = Field(None, description="КАТОТТГ code of the громада; may be unknown")
    period_start: int = Field(..., ge=1990, le=2100)
    period_end: int = Field(..., ge=1990, le=2100)
    passport_form: Optional[PassportForm] = None
    passport: Passport = Field(default_factory=Passport)
    goals: list[GoalIn] = Field(default_factory=list)
    priorities: list[PriorityIn] = Field(default_factory=list)
    indicators: list[IndicatorIn] = Field(default_factory=list)
    declared_totals: list[DeclaredTotalIn] = Field(default_factory=list)

    _hromada = field_validator("hromada")(_katottg)

    @property
    def years(self) -> list[int]:
        return list(range(self.period_start, self.period_end + 1))

    def projects(self):
        for priority in self.priorities:
            yield from ((priority, p) for p in priority.projects)

    @model_validator(mode="after")
    def _consistent(self):
        if self.period_end < self.period_start:
            raise ValueError("period_end: before period_start")
        years = set(self.years)
        for priority, project in self.projects():
            for line in project.funding:
                bad = set(line.amounts) - years
                if bad:
                    raise ValueError(f"project {project.ref or project.name!r}: years {sorted(bad)} "
                                     f"outside the period {self.period_start}–{self.period_end}")
        for ind in self.indicators:
            bad = set(ind.targets) - years
            if bad:
                raise ValueError(f"indicator {ind.ref or ind.name!r}: targets for years {sorted(bad)} "
                                 f"outside the period {self.period_start}–{self.period_end}")
        return self


ProgramCreate = ProgramDocument


class ProgramUpdate(_Base):
    title: Optional[str] = Field(None, min_length=1)
    hromada: Optional[str] = None
    period_start: Optional[int] = Field(None, ge=1990, le=2100)
    period_end: Optional[int] = Field(None, ge=1990, le=2100)
    passport_form: Optional[PassportForm] = None
    passport: Optional[Passport] = None

    _hromada = field_validator("hromada")(_katottg)


# ------------------------------------------------------------------------------ public forms
class Progress(BaseModel):
    linked: int = Field(..., description="linked features (not removed)")
    built: int = Field(..., description="of those, in operation (no longer planned or under construction)")
    share: Optional[Number] = Field(None, description="built / linked × 100")
    reported_pct: Optional[Number] = Field(None, description="the executor's latest reported progress")


class GoalPublic(GoalIn):
    id: int


class TaskPublic(TaskIn):
    id: int


class FundingPublic(FundingIn):
    id: int


class ProjectPublic(ProjectIn):
    id: int
    priority: str
    funding: list[FundingPublic] = Field(default_factory=list)
    progress: Optional[Progress] = None


class PriorityPublic(PriorityIn):
    id: int
    tasks: list[TaskPublic] = Field(default_factory=list)
    projects: list[ProjectPublic] = Field(default_factory=list)


class IndicatorPublic(IndicatorIn):
    id: int
    unit_kind: Optional[str] = None
    recomputed_dynamics: Optional[Number] = None


class DeclaredTotalPublic(DeclaredTotalIn):
    id: int


class ProgramSummary(BaseModel):
    id: int
    hromada: Optional[str]
    title: str
    period_start: int
    period_end: int
    passport_form: Optional[str]
    version: int
    projects: int
    indicators: int
    updated_at: dt.datetime


class ProgramsPublic(BaseModel):
    data: list[ProgramSummary]
    count: int


class ProgramPublic(ProgramDocument):
    id: int
    version: int
    updated_at: dt.datetime
    goals: list[GoalPublic] = Field(default_factory=list)
    priorities: list[PriorityPublic] = Field(default_factory=list)
    indicators: list[IndicatorPublic] = Field(default_factory=list)
    declared_totals: list[DeclaredTotalPublic] = Field(default_factory=list)


# ------------------------------------------------------------------------------ nested edits
class PriorityCreate(_Base):
    code: Optional[str] = None
    name: str
    goal: Optional[str] = None


class PriorityUpdate(_Base):
    code: Optional[str] = None
    name: Optional[str] = None
    goal: Optional[str] = None


class TaskCreate(_Base):
    priority: str = Field(..., description="priority area code")
    name: str


class TaskUpdate(_Base):
    name: Optional[str] = None


class ProjectCreate(ProjectIn):
    priority: str = Field(..., description="priority area code")


class ProjectUpdate(_Base):
    priority: Optional[str] = None
    task: Optional[str] = None
    name: Optional[str] = None
    result: Optional[str] = None
    executors: Optional[str] = None
    term: Optional[str] = None
    funding: Optional[list[FundingIn]] = None


class IndicatorCreate(IndicatorIn):
    pass


class IndicatorUpdate(_Base):
    priority: Optional[str] = None
    goal: Optional[str] = None
    project: Optional[str] = None
    name: Optional[str] = None
    unit: Optional[str] = None
    canonical_code: Optional[str] = None
    value_semantics: Optional[ValueSemantics] = None
    baseline: Optional[IndicatorValue] = None
    baseline_year: Optional[int] = None
    targets: Optional[dict[int, Optional[IndicatorValue]]] = None
    declared_dynamics: Optional[str] = None
    regulation_ref: Optional[str] = None
    method: Optional[Method] = None
    metric: Optional[str] = None


class ActualCreate(_Base):
    year: int = Field(..., ge=1990, le=2100)
    quarter: int = Field(0, ge=0, le=4, description="1–4, or 0 for the whole year")
    value: Optional[IndicatorValue] = None
    numerator: Optional[Decimal] = None
    denominator: Optional[Decimal] = None
    source: Literal["computed", "entered"] = "entered"
    inputs: Optional[dict] = None
    note: Optional[str] = None


class ActualPublic(BaseModel):
    id: int
    indicator_id: int
    year: int
    quarter: int
    value: Optional[IndicatorValue]
    numerator: Optional[Number]
    denominator: Optional[Number]
    source: str
    entered_by: Optional[str]
    entered_at: dt.datetime
    computed_at: Optional[dt.datetime]
    inputs: Optional[dict]
    note: Optional[str]


class ReportCreate(_Base):
    year: int = Field(..., ge=1990, le=2100)
    quarter: int = Field(..., ge=1, le=4)
    progress_pct: Optional[Decimal] = Field(None, ge=0, le=100)
    spent: Optional[Decimal] = Field(None, ge=0, description="тис. грн")
    narrative: Optional[str] = None


class ReportPublic(BaseModel):
    id: int
    project_id: int
    year: int
    quarter: int
    progress_pct: Optional[Number]
    spent: Optional[Number]
    narrative: Optional[str]
    entered_by: Optional[str]
    entered_at: dt.datetime


class AmendmentCreate(_Base):
    decision_number: str = Field(..., min_length=1, description="council decision number")
    decision_date: dt.date
    note: Optional[str] = None
    program: ProgramDocument


class VersionPublic(BaseModel):
    number: int
    decision_number: Optional[str]
    decision_date: Optional[dt.date]
    note: Optional[str]
    created_at: dt.datetime
    created_by: Optional[str]
    in_force: bool


class LinkCreate(_Base):
    layer: str
    feature_id: str
    note: Optional[str] = None


class SubmissionCreate(_Base):
    kind: Literal["ministry_report"] = "ministry_report"
    year: int = Field(..., ge=1990, le=2100, description="the reporting year")
    note: Optional[str] = None
