from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from . import attachments, casework, csp, insight, pwa, sign_in, two_factor, views

A = "frontend/auth/"

urlpatterns = [
    path("", views.home, name="home"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("csp-report/", csp.csp_report, name="csp_report"),
    path("accounts/login/", sign_in.SignInView.as_view(), name="login"),
    path("accounts/logout/", views.SignOutView.as_view(), name="logout"),
    path("accounts/two-factor/", two_factor.verify, name="two_factor_verify"),
    path("accounts/two-factor/set-up/", two_factor.enrol, name="two_factor_enrol"),
    path(
        "accounts/password-reset/",
        sign_in.PasswordResetView.as_view(),  # the email itself: tasks.emails
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name=A + "password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name=A + "password_reset_confirm.html", success_url=reverse_lazy("password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name=A + "password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("problems/", views.problem_list, name="problem_list"),
    path("problems/export.csv", views.problem_csv, name="problem_csv"),
    path("problems/new/", views.problem_create, name="problem_create"),
    path("problems/new/duplicates/", views.problem_duplicates, name="problem_duplicates"),
    path("problems/new/neighbourhood/", views.neighbourhood_here, name="neighbourhood_here"),
    path("problems/<int:pk>/", views.problem_page, name="problem"),
    path("problems/<int:pk>/scanning/", views.problem_scanning, name="problem_scanning"),
    path("problems/<int:pk>/analysis/", views.problem_analysis, name="problem_analysis"),
    path("problems/<int:pk>/assessment/", views.problem_assessment, name="problem_assessment"),
    path("problems/<int:pk>/public/", views.problem_public, name="problem_public"),
    path("problems/<int:pk>/actions/", views.action_add, name="action_add"),
    path("problems/<int:pk>/actions/<int:action_pk>/", views.action_update, name="action_update"),
    path("problems/<int:pk>/updates/", views.update_add, name="update_add"),
    path("problems/<int:pk>/transition/", views.problem_transition, name="problem_transition"),
    path("problems/<int:pk>/request-closure/", views.closure_request, name="closure_request"),
    path("problems/<int:pk>/review/", views.problem_review, name="problem_review"),
    path("problems/<int:pk>/casework/", casework.casework, name="casework"),
    path("problems/<int:pk>/casework/partner/", casework.partner_add, name="casework_partner"),
    path("problems/<int:pk>/casework/hand-over/", casework.problem_hand_over, name="casework_handover"),
    path("problems/<int:pk>/casework/action/", casework.action_hand_over, name="casework_action"),
    path("problems/<int:pk>/casework/contact/", casework.contact_add, name="casework_contact"),
    path("problems/<int:pk>/casework/merge/", casework.merge, name="casework_merge"),
    path("problems/<int:pk>/contacts/", include("frontend.contacts")),
    path("problems/<int:pk>/attachments/", include("frontend.attachments")),  # photos and documents (issue 20)
    path(
        "updates/", include(attachments.update_urlpatterns)
    ),  # approve a public update with a photo  # contact agreements (frontend/contacts.py)
    path("updates/<int:pk>/decide/", views.update_decide, name="update_decide"),
    path("neighbourhoods/", views.neighbourhood_list, name="neighbourhood_list"),
    path("neighbourhoods/<int:pk>/", views.neighbourhood_page, name="neighbourhood"),
    path("meetings/", include("frontend.meetings")),
    path("case-reviews/", include("frontend.case_reviews")),
    path("panels/", include("frontend.panels")),
    path("resident-reports/", include("frontend.resident_reports")),  # triage of residents' reports (issue 20)
    path("messages/", include("frontend.inbox")),  # residents' messages to the neighbourhood team (issue 20)
    path("", include("frontend.people.urls")),  # people and places: on a problem, their pages, merging
    path("", include("frontend.lookup")),  # the call handler's lookup of a street or a caller
    path("problems/<int:pk>/risk/", include("frontend.risk")),  # a victim's risk assessment (frontend/risk.py)
    # Evaluation, quality, the best-practice library, learning needs and management information (frontend/insight.py).
    path("evaluations/", insight.evaluation_queue, name="insight_evaluations"),
    path("problems/<int:pk>/evaluate/", insight.evaluation_form, name="insight_evaluate"),
    path("problems/<int:pk>/quality/", insight.quality_score, name="insight_quality"),
    path("problems/<int:pk>/similar/", insight.similar_panel, name="insight_similar"),
    path("library/", insight.library, name="insight_library"),
    path("library/<int:pk>/", insight.evaluation_page, name="insight_evaluation"),
    path("library/<int:pk>/best-practice/", insight.best_practice_mark, name="insight_best_practice"),
    path("library/<int:pk>/write-up/", insight.writeup, name="insight_writeup"),
    path("learning-needs/", insight.learning_needs, name="insight_learning_needs"),
    path("learning-needs/export.csv", insight.learning_needs_csv, name="insight_learning_needs_csv"),
    path("dashboard/", insight.dashboard, name="insight_dashboard"),
    path("dashboard/<slug:slug>.csv", insight.dashboard_csv, name="insight_dashboard_csv"),
    path("", include("frontend.public_site.urls")),  # resident alerts; the static public site at /public/ in DEBUG
]
