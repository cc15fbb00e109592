from django.urls import path, register_converter

from cases import views, views_publication, views_records


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
    path("ours/", views.portal_cases, name="portal_cases"),
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
]
