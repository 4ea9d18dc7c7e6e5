from django.forms.renderers import TemplatesSetting


class ClubFormRenderer(TemplatesSetting):
    """Django's form templates, found through TEMPLATES, with the field layout of
    templates/forms/field.html."""

    field_template_name = "forms/field.html"
