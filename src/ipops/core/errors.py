"""Error codes and the domain error that the web layer turns into RFC 9457 problem+json."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Every error the platform reports, with its HTTP status and bilingual message in ERROR_TEXT."""

    VALIDATION_ERROR = "validation_error"
    NOT_FOUND = "not_found"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    RATE_LIMITED = "rate_limited"
    INVALID_CREDENTIALS = "invalid_credentials"
    INVALID_CODE = "invalid_code"
    CURRENCY_MISMATCH = "currency_mismatch"
    ASSET_ENCUMBERED = "asset_encumbered"
    OWNER_SHARES_INVALID = "owner_shares_invalid"
    REGION_NOT_IN_ALLIANCE = "region_not_in_alliance"
    DUPLICATE = "duplicate"
    INVALID_STATE = "invalid_state"
    PDF_GLYPHS_MISSING = "pdf_glyphs_missing"
    CONSENT_REQUIRED = "consent_required"
    OWNERSHIP_PENDING = "ownership_pending"
    INTERNAL_ERROR = "internal_error"
    # platform pieces (issue 11): ledger, bounds, files, jobs
    INPUT_TOO_LARGE = "input_too_large"
    FILE_TOO_LARGE = "file_too_large"
    FILE_TYPE_REFUSED = "file_type_refused"
    SPREADSHEET_TOO_LARGE = "spreadsheet_too_large"
    LEDGER_TRANSFER_EXISTS = "ledger_transfer_exists"
    LEDGER_INSUFFICIENT_FUNDS = "ledger_insufficient_funds"
    LEDGER_PENDING_RESOLVED = "ledger_pending_resolved"
    LEDGER_POST_EXCEEDS_PENDING = "ledger_post_exceeds_pending"
    LEDGER_EXTERNAL_REF_REQUIRED = "ledger_external_ref_required"
    LEDGER_EXTERNAL_REF_USED = "ledger_external_ref_used"
    LEDGER_INVALID_TRANSFER = "ledger_invalid_transfer"


ERROR_STATUS: dict[ErrorCode, int] = {
    ErrorCode.VALIDATION_ERROR: 422,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.CONFLICT: 409,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.INVALID_CREDENTIALS: 401,
    ErrorCode.INVALID_CODE: 422,
    ErrorCode.CURRENCY_MISMATCH: 422,
    ErrorCode.ASSET_ENCUMBERED: 409,
    ErrorCode.OWNER_SHARES_INVALID: 422,
    ErrorCode.REGION_NOT_IN_ALLIANCE: 422,
    ErrorCode.DUPLICATE: 409,
    ErrorCode.INVALID_STATE: 409,
    ErrorCode.PDF_GLYPHS_MISSING: 422,
    ErrorCode.CONSENT_REQUIRED: 409,
    ErrorCode.OWNERSHIP_PENDING: 409,
    ErrorCode.INTERNAL_ERROR: 500,
    ErrorCode.INPUT_TOO_LARGE: 422,
    ErrorCode.FILE_TOO_LARGE: 422,
    ErrorCode.FILE_TYPE_REFUSED: 415,
    ErrorCode.SPREADSHEET_TOO_LARGE: 422,
    ErrorCode.LEDGER_TRANSFER_EXISTS: 409,
    ErrorCode.LEDGER_INSUFFICIENT_FUNDS: 409,
    ErrorCode.LEDGER_PENDING_RESOLVED: 409,
    ErrorCode.LEDGER_POST_EXCEEDS_PENDING: 422,
    ErrorCode.LEDGER_EXTERNAL_REF_REQUIRED: 422,
    ErrorCode.LEDGER_EXTERNAL_REF_USED: 409,
    ErrorCode.LEDGER_INVALID_TRANSFER: 422,
}

# (zh_CN, en) titles; the one place message text lives.
ERROR_TEXT: dict[ErrorCode, tuple[str, str]] = {
    ErrorCode.VALIDATION_ERROR: ("输入数据无效", "Invalid input"),
    ErrorCode.NOT_FOUND: ("记录不存在或无权查看", "Record not found"),
    ErrorCode.UNAUTHENTICATED: ("请先登录", "Authentication required"),
    ErrorCode.FORBIDDEN: ("无权执行此操作", "Not allowed"),
    ErrorCode.CONFLICT: ("记录已被修改，请刷新后重试", "Conflicting change"),
    ErrorCode.RATE_LIMITED: ("尝试次数过多，请稍后再试", "Too many attempts, try again later"),
    ErrorCode.INVALID_CREDENTIALS: ("用户名或密码错误", "Wrong username or password"),
    ErrorCode.INVALID_CODE: ("编码校验失败", "Code failed validation"),
    ErrorCode.CURRENCY_MISMATCH: ("币种不一致", "Currencies differ"),
    ErrorCode.ASSET_ENCUMBERED: (
        "该知识产权存在质押、冻结、挂牌或独占许可等权利负担，不能办理此项操作",
        "An encumbrance on the asset (pledge, freeze, listing or exclusive licence) blocks this",
    ),
    ErrorCode.OWNER_SHARES_INVALID: ("权利人份额之和必须为 100%", "Owner shares must add up to 100%"),
    ErrorCode.REGION_NOT_IN_ALLIANCE: ("该地区不是联盟成员", "Region is not a member of the alliance"),
    ErrorCode.DUPLICATE: ("记录已存在", "Record already exists"),
    ErrorCode.INVALID_STATE: ("当前状态不允许此操作", "Not allowed in the current state"),
    ErrorCode.PDF_GLYPHS_MISSING: (
        "PDF 字体缺少以下字符，未生成 PDF",
        "The PDF font lacks these characters, so no PDF was written",
    ),
    ErrorCode.CONSENT_REQUIRED: (
        "该知识产权为共有，需其他共有人同意（专利法第十四条）",
        "Jointly owned: every co-owner must consent first (Patent Law art. 14)",
    ),
    ErrorCode.OWNERSHIP_PENDING: (
        "被列为权利人的单位尚未确认接受，权属未定",
        "An organisation named as owner has not accepted yet",
    ),
    ErrorCode.INTERNAL_ERROR: ("服务器内部错误", "Internal server error"),
    ErrorCode.INPUT_TOO_LARGE: ("输入超出允许的上限", "Input exceeds the allowed limit"),
    ErrorCode.FILE_TOO_LARGE: ("文件超出大小上限", "File exceeds the size limit"),
    ErrorCode.FILE_TYPE_REFUSED: ("不接受此类文件", "This type of file is not accepted"),
    ErrorCode.SPREADSHEET_TOO_LARGE: (
        "电子表格超出允许的规模，未读取",
        "The spreadsheet exceeds the allowed size, so it was not read",
    ),
    ErrorCode.LEDGER_TRANSFER_EXISTS: (
        "该交易编号已用于内容不同的交易",
        "This transfer id is already used by a different transfer",
    ),
    ErrorCode.LEDGER_INSUFFICIENT_FUNDS: ("账户可用余额不足", "Insufficient available balance"),
    ErrorCode.LEDGER_PENDING_RESOLVED: (
        "该冻结款项已入账或已撤销",
        "The pending transfer is already posted or voided",
    ),
    ErrorCode.LEDGER_POST_EXCEEDS_PENDING: (
        "入账金额超过冻结金额",
        "The posted amount exceeds the pending amount",
    ),
    ErrorCode.LEDGER_EXTERNAL_REF_REQUIRED: (
        "资金进出清算账户须填写银行流水号",
        "Money entering or leaving through a clearing account needs a bank reference",
    ),
    ErrorCode.LEDGER_EXTERNAL_REF_USED: ("该银行流水号已入账", "This bank reference is already booked"),
    ErrorCode.LEDGER_INVALID_TRANSFER: ("交易内容无效", "Invalid transfer"),
}


def error_title(code: ErrorCode, locale: str) -> str:
    """The translated title of an error code."""
    zh, en = ERROR_TEXT[code]
    return zh if locale.startswith("zh") else en


class DomainError(Exception):
    """A business-rule failure carrying an error code, a detail and optional structured extras."""

    def __init__(
        self,
        code: ErrorCode,
        detail: str = "",
        *,
        msgid: str | None = None,
        msgargs: dict[str, Any] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or code.value)
        self.code = code
        self.detail = detail
        self.msgid = msgid  # a catalogue message the web layer translates into the detail
        self.msgargs = msgargs or {}
        self.extra = extra

    @property
    def status(self) -> int:
        """The HTTP status for this error."""
        return ERROR_STATUS[self.code]


def problem_body(
    *, code: ErrorCode, locale: str, detail: str = "", instance: str = "", extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An RFC 9457 problem document with our `code` extension member."""
    body: dict[str, Any] = {
        "type": f"urn:ipops:error:{code.value}",
        "title": error_title(code, locale),
        "status": ERROR_STATUS[code],
        "code": code.value,
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if extra:
        body.update(extra)
    return body
