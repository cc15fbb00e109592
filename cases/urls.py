from django.urls import path, register_converter

from cases import (
    views,
    views_complainant,
    views_compliance,
    views_consent,
    views_hearing,
    views_intake,
    views_letters,
    views_publication,
    views_records,
)


class CaseNumberConverter:
    regex = r"\d{4}-\d{4,6}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CaseNumberConverter, "case")

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("export.csv", views.case_list_export, name="case_list_export"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("new/", views.complaint_new, name="complaint_new"),
    path("new/respondents/", views_intake.respondent_search, name="respondent_search"),
    path("ours/", views.portal_cases, name="portal_cases"),
    path("ours/sanctions/", views.portal_sanctions, name="portal_sanctions"),
    path("ours/letters/", views.portal_letters, name="portal_letters"),
    path("ballots/", views.my_ballots, name="my_ballots"),
    path("workflow/", views.workflow_page, name="workflow"),
    path("report/", views_records.annual_report, name="annual_report"),
    path("report/annual.csv", views_records.annual_report_csv, name="annual_report_csv"),
    path("report/annual.pdf", views_records.annual_report_pdf, name="annual_report_pdf"),
    path("report/statistics.csv", views_records.statistics_csv, name="statistics_csv"),
    path("precedents/", views_records.precedents, name="precedents"),
    path(
        "precedents/<str:number>/",
        views_records.principle_precedents,
        name="principle_precedents",
    ),
    path("<case:number>/", views.case_detail, name="case_detail"),
    path("<case:number>/amend/", views.complaint_amend, name="complaint_amend"),
    path("<case:number>/step/<slug:name>/", views.case_step, name="case_step"),
    path("<case:number>/evidence/", views.evidence_add, name="evidence_add"),
    path(
        "<case:number>/evidence/<int:evidence_id>/",
        views.evidence_download,
        name="evidence_download",
    ),
    path(
        "<case:number>/evidence/<int:evidence_id>/disclosure/",
        views.evidence_disclosure,
        name="evidence_disclosure",
    ),
    path("<case:number>/respond/", views.response_submit, name="response_submit"),
    path(
        "<case:number>/findings/<int:allegation_id>/", views.finding_record, name="finding_record"
    ),
    path("<case:number>/report/", views.review_report_save, name="review_report_save"),
    path("<case:number>/window/", views.response_window_reopen, name="response_window_reopen"),
    path("<case:number>/late/", views.late_filing_accept, name="late_filing_accept"),
    path("<case:number>/officer/", views.case_officer_assign, name="case_officer_assign"),
    path("<case:number>/notice/", views.amended_notice_issue, name="amended_notice_issue"),
    path("<case:number>/links/", views.case_link, name="case_link"),
    path("<case:number>/dossier.zip", views.dossier_download, name="dossier_download"),
    path("<case:number>/vote/", views.vote_cast, name="vote_cast"),
    path("<case:number>/letters/<int:letter_id>/", views.letter_download, name="letter_download"),
    path(
        "<case:number>/letters/<int:letter_id>/redeliver/",
        views.letter_redeliver,
        name="letter_redeliver",
    ),
    path(
        "<case:number>/letter-orders/<int:order_id>/retry/",
        views_letters.letter_order_retry,
        name="letter_order_retry",
    ),
    path(
        "<case:number>/letters/<int:letter_id>/correct/",
        views.letter_correct,
        name="letter_correct",
    ),
    path("<case:number>/letters/preview/<slug:kind>/", views.letter_preview, name="letter_preview"),
    path("<case:number>/conflict/", views.conflict_declare, name="conflict_declare"),
    path("<case:number>/conflict/record/", views.conflict_record, name="conflict_record"),
    path("<case:number>/ballot/extend/", views.ballot_extend, name="ballot_extend"),
    path(
        "<case:number>/ballot/close-appeal/", views.appeal_ballot_close, name="appeal_ballot_close"
    ),
    # The complainant's page and its staff side (docs/decisions/0021)
    path("complainant/", views_complainant.sign_in, name="complainant_sign_in"),
    path("complainant/leave/", views_complainant.sign_out, name="complainant_sign_out"),
    path("complainant/<case:number>/", views_complainant.page, name="complainant_page"),
    path(
        "complainant/<case:number>/message/",
        views_complainant.message,
        name="complainant_message",
    ),
    path(
        "complainant/<case:number>/evidence/",
        views_complainant.evidence,
        name="complainant_evidence",
    ),
    path("complainant/<case:number>/appeal/", views_complainant.appeal, name="complainant_appeal"),
    path(
        "complainant/<case:number>/letters/<int:letter_id>/",
        views_complainant.letter,
        name="complainant_letter",
    ),
    path(
        "<case:number>/complainant/message/",
        views_complainant.staff_message,
        name="complainant_staff_message",
    ),
    path(
        "<case:number>/complainant/accept/",
        views_complainant.submission_accept,
        name="complainant_submission_accept",
    ),
    path(
        "<case:number>/complainant/decline/",
        views_complainant.submission_decline,
        name="complainant_submission_decline",
    ),
    path(
        "<case:number>/complainant/code/revoke/",
        views_complainant.code_revoke,
        name="complainant_code_revoke",
    ),
    path(
        "<case:number>/complainant/submissions/<int:submission_id>/",
        views_complainant.submission_download,
        name="complainant_submission_download",
    ),
    path(
        "<case:number>/complainant/ballot/close/",
        views_complainant.appeal_ballot_close,
        name="complainant_appeal_ballot_close",
    ),
    path(
        "<case:number>/complainant/code/new/",
        views_complainant.code_reissue,
        name="complainant_code_reissue",
    ),
    # Publication and legal holds (docs/decisions/0023)
    path(
        "<case:number>/publication/withhold/",
        views_publication.publication_withhold,
        name="publication_withhold",
    ),
    path("<case:number>/legal-hold/", views_publication.legal_hold_place, name="legal_hold_place"),
    path(
        "<case:number>/legal-hold/release/",
        views_publication.legal_hold_release,
        name="legal_hold_release",
    ),
    # Compliance with a fine, education or conditions (docs/decisions/0018)
    path(
        "<case:number>/compliance/<int:sanction_id>/record/",
        views_compliance.compliance_record,
        name="compliance_record",
    ),
    path(
        "<case:number>/compliance/<int:sanction_id>/proof/",
        views_compliance.compliance_proof_upload,
        name="compliance_proof_upload",
    ),
    path(
        "<case:number>/compliance/proofs/<int:proof_id>/accept/",
        views_compliance.compliance_proof_accept,
        name="compliance_proof_accept",
    ),
    path(
        "<case:number>/compliance/proofs/<int:proof_id>/",
        views_compliance.compliance_proof_download,
        name="compliance_proof_download",
    ),
    # Issue 10: the comment on the review, and the hearing
    path("<case:number>/review/disclose/", views_hearing.review_disclose, name="review_disclose"),
    path("<case:number>/review/comment/", views_hearing.review_comment, name="review_comment"),
    path("<case:number>/hearing/request/", views_hearing.hearing_request, name="hearing_request"),
    path(
        "<case:number>/hearing/request/record/",
        views_hearing.hearing_request_record,
        name="hearing_request_record",
    ),
    path("<case:number>/hearing/set/", views_hearing.hearing_schedule, name="hearing_schedule"),
    path(
        "<case:number>/hearing/postpone/", views_hearing.hearing_postpone, name="hearing_postpone"
    ),
    path(
        "<case:number>/hearing/people/",
        views_hearing.hearing_participants,
        name="hearing_participants",
    ),
    path(
        "<case:number>/hearing/people/record/",
        views_hearing.hearing_participants_record,
        name="hearing_participants_record",
    ),
    path("<case:number>/hearing/record/", views_hearing.hearing_record, name="hearing_record"),
    # Resolution by consent, interim suspension, consolidation (docs/decisions/0020)
    path("<case:number>/consent/", views_consent.consent_offer, name="consent_offer"),
    path("<case:number>/consent/accept/", views_consent.consent_accept, name="consent_accept"),
    path("<case:number>/consent/refuse/", views_consent.consent_refuse, name="consent_refuse"),
    path("<case:number>/consent/lapse/", views_consent.consent_lapse, name="consent_lapse"),
    path("<case:number>/interim/", views_consent.interim_propose, name="interim_propose"),
    path("<case:number>/interim/lift/", views_consent.interim_lift, name="interim_lift"),
    path("<case:number>/interim/vote/", views_consent.interim_vote, name="interim_vote"),
    path("<case:number>/interim/close/", views_consent.interim_close, name="interim_close"),
    path("<case:number>/consolidate/", views_consent.consolidate, name="consolidate"),
]
