from django import forms
from django.contrib.auth import get_user_model

from annotate.exporting import EXPORT_FORMATS, AnnotationFilter
from annotate.models import Annotation, Label, Source


class AnnotationExportForm(forms.Form):
    """The download's options; unknown values are form errors (400), not empty files."""

    format = forms.ChoiceField(choices=[(f, f.upper()) for f in EXPORT_FORMATS], initial="csv")
    source = forms.ModelChoiceField(Source.objects.all(), required=False, to_field_name="name")
    label = forms.ModelChoiceField(Label.objects.all(), required=False, to_field_name="slug")
    reviewer = forms.ModelChoiceField(get_user_model().objects.all(), required=False, to_field_name="username")
    article = forms.IntegerField(required=False, min_value=1)
    layer = forms.ChoiceField(choices=[("", "All layers"), *Annotation.Layer.choices], required=False)

    def criteria(self) -> AnnotationFilter:
        data = self.cleaned_data
        return AnnotationFilter(
            source=data["source"].name if data["source"] else None,
            label=data["label"].slug if data["label"] else None,
            reviewer=data["reviewer"].username if data["reviewer"] else None,
            article=data["article"],
            layer=data["layer"] or None,
        )
