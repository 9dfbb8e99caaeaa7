"""Meeting mode and briefing exports: one slide model (:mod:`.slides`) drawn three ways —
the 会议汇报 page (:mod:`.html`), PowerPoint (:mod:`.pptx_export`) and the village sheets
as PDF (:mod:`.pdf_export`) — with maps and charts drawn locally (:mod:`.static_map`,
:mod:`.chart_image`) in the system's Chinese font (:mod:`.fonts`)."""
