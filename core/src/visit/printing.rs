//! Why a document did not print, in the applicant's words. The receipt
//! number stays on screen, so a visit is never lost to the printer.

use onevisit_drivers::printer::{PrinterError, Problem};

/// A print batch that did not (fully) print.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrintFailure {
    #[error("本机没有连接打印机")]
    NoPrinter,
    #[error("打印字体缺失，暂时无法打印")]
    FontMissing,
    #[error("这份单据暂时无法打印")]
    Render,
    #[error("打印机缺纸，暂时无法打印")]
    PaperOut,
    #[error("打印机盖未合上，暂时无法打印")]
    CoverOpen,
    #[error("打印机暂时不能打印")]
    Printer,
}

impl PrintFailure {
    /// What the printer's own error means for the applicant.
    pub fn from_printer(e: &PrinterError) -> PrintFailure {
        let problems = e.problems();
        if problems.contains(&Problem::PaperOut) {
            PrintFailure::PaperOut
        } else if problems.contains(&Problem::CoverOpen) {
            PrintFailure::CoverOpen
        } else {
            PrintFailure::Printer
        }
    }

    /// A stable code for logs.
    pub fn code(&self) -> &'static str {
        match self {
            PrintFailure::NoPrinter => "print_no_printer",
            PrintFailure::FontMissing => "print_font_missing",
            PrintFailure::Render => "print_render_failed",
            PrintFailure::PaperOut => "print_paper_out",
            PrintFailure::CoverOpen => "print_cover_open",
            PrintFailure::Printer => "print_printer_failed",
        }
    }
}
