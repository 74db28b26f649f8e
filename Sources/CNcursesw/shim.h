// CNcursesw: wide-character ncurses from Debian's libncurses-dev.
// SwiftPM drops pkg-config's -D flags, so the wide-character defines come first. Keep every ncurses helper in this one
// header (static inline): a second C target that includes ncurses differently breaks the module.
#ifndef ZOETROPE_CNCURSESW_SHIM_H
#define ZOETROPE_CNCURSESW_SHIM_H
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <ncurses.h>
#include <locale.h>

/// C globals Swift 6 rejects as shared mutable state.
static inline WINDOW *zt_stdscr(void) { return stdscr; }
static inline int zt_lines(void) { return LINES; }
static inline int zt_cols(void) { return COLS; }
/// Macros that do not import.
static inline void zt_getmaxyx(WINDOW *w, int *y, int *x) { int yy, xx; getmaxyx(w, yy, xx); *y = yy; *x = xx; }
static inline attr_t zt_a_bold(void) { return A_BOLD; }
static inline attr_t zt_a_reverse(void) { return A_REVERSE; }
static inline attr_t zt_a_dim(void) { return A_DIM; }
static inline attr_t zt_a_underline(void) { return A_UNDERLINE; }
static inline attr_t zt_color_pair(int n) { return COLOR_PAIR(n); }
static inline mmask_t zt_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t zt_button1_released(void) { return BUTTON1_RELEASED; }
static inline mmask_t zt_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t zt_all_mouse_events(void) { return ALL_MOUSE_EVENTS | REPORT_MOUSE_POSITION; }
static inline int zt_key_resize(void) { return KEY_RESIZE; }
static inline int zt_key_mouse(void) { return KEY_MOUSE; }
static inline mmask_t zt_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t zt_button5_pressed(void) { return BUTTON5_PRESSED; }
static inline mmask_t zt_report_mouse_position(void) { return REPORT_MOUSE_POSITION; }
static inline mmask_t zt_button1_dragged(void) { return BUTTON1_PRESSED | REPORT_MOUSE_POSITION; }
static inline WINDOW *zt_curscr(void) { return curscr; }
static inline int zt_colors(void) { return COLORS; }
static inline int zt_color_pairs(void) { return COLOR_PAIRS; }
static inline int zt_key_code_yes(void) { return KEY_CODE_YES; }
#endif
