"""StreamField blocks of portal content: rich text, images that must have alt text (or be
marked decorative), links to documents."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock

from edugate.portal.models.base import RICH_TEXT_FEATURES


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    title = blocks.CharBlock(label=_("link text"), required=False,
                             help_text=_("Empty: the document's title."))

    class Meta:
        icon = "doc-full"
        label = _("document link")
        template = "portal/blocks/document_link.html"


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(label=_("text"), features=RICH_TEXT_FEATURES)
    image = ImageBlock(label=_("image"), template="portal/blocks/image.html")
    document = DocumentLinkBlock()
