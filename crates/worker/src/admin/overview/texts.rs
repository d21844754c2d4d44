//! The overview's and the activity's strings, Japanese and English, in a
//! catalogue of their own beside the console's (`super::super::texts`). A
//! message without both languages does not compile.

use doi_core::console::summary::Standing;
use doi_core::fold::activity::Kind;
use doi_core::{Locale, Via};

macro_rules! overview_catalogue {
    ($($(#[$doc:meta])* $name:ident => { ja: $ja:expr, en: $en:expr $(,)? })*) => {
        /// An overview message.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum O {
            $($(#[$doc])* $name,)*
        }

        impl O {
            /// Every message, for completeness checks.
            #[cfg(test)]
            pub const ALL: &'static [O] = &[$(O::$name,)*];

            /// The message in `locale`.
            pub const fn text(self, locale: Locale) -> &'static str {
                match (self, locale) {
                    $((O::$name, Locale::Ja) => $ja, (O::$name, Locale::En) => $en,)*
                }
            }
        }
    };
}

overview_catalogue! {
    /// As-of line.
    AsOf => { ja: "{jst}（{utc}）時点の集計です。", en: "Counted as of {jst} ({utc})." }
    /// Never counted.
    NotYet => { ja: "まだ集計されていません。「今すぐ集計」を押すか、定期実行（毎分）をお待ちください。", en: "Not counted yet. Press “Recount now”, or wait for the scheduled run (every minute)." }
    /// A pass under way.
    Underway => { ja: "集計の途中です（{n}人まで数えました）。定期実行が続きを数えます。", en: "A recount is under way ({n} subscribers so far); the scheduled run counts the rest." }
    /// How the overview is kept.
    HowCounted => { ja: "数字は各購読者の状態の要約から定期実行で数え直します（1回の表示はKVの読み取り1回）。/v1/check と同じ判定です。", en: "The numbers are recounted by the scheduled run from each subscriber’s summary (a view is one KV read), with the same decision as /v1/check." }
    /// Recount button.
    Recount => { ja: "今すぐ集計", en: "Recount now" }
    /// Snapshots without a summary.
    Unsummarised => { ja: "{n}人はまだ要約がなく、どの数にも入っていません（次の変更か修復で要約されます）。", en: "{n} subscribers have no summary yet and are in no count (they get one at their next change or repair)." }
    /// Totals heading.
    Totals => { ja: "全体", en: "All lists" }
    /// Subscribers counted.
    Counted => { ja: "購読者（記録のある人）", en: "Subscribers on record" }
    /// Withdrawn from everything.
    WithdrawnAll => { ja: "すべての配信を停止", en: "Stopped everything" }
    /// Column: count.
    Count => { ja: "人数", en: "People" }
    /// Heading: by status.
    ByStatus => { ja: "状態別", en: "By status" }
    /// Heading: by topic.
    ByTopic => { ja: "トピック別（今送れる人）", en: "By topic (sendable now)" }
    /// Heading: by frequency.
    ByFrequency => { ja: "頻度別（今送れる人）", en: "By frequency (sendable now)" }
    /// Heading: the chart.
    PerDay => { ja: "日ごとの登録と配信停止（日本時間）", en: "Sign-ups and unsubscribes per day (Japan time)" }
    /// Last 30 days.
    Days30 => { ja: "過去30日", en: "Last 30 days" }
    /// Last 90 days.
    Days90 => { ja: "過去90日", en: "Last 90 days" }
    /// Chart summary.
    ChartLabel => { ja: "{days}日間：登録{joined}件、配信停止{left}件", en: "{days} days: {joined} sign-ups, {left} unsubscribes" }
    /// A bar's title.
    BarJoined => { ja: "{date}：登録{n}件", en: "{date}: {n} sign-ups" }
    /// A bar's title.
    BarLeft => { ja: "{date}：配信停止{n}件", en: "{date}: {n} unsubscribes" }
    /// The chart's table.
    ChartTable => { ja: "表で見る（件数のある日のみ）", en: "As a table (days with any)" }
    /// Column: date.
    Date => { ja: "日付", en: "Date" }
    /// Column: sign-ups.
    Joined => { ja: "登録", en: "Sign-ups" }
    /// Column: unsubscribes.
    Left => { ja: "配信停止", en: "Unsubscribes" }
    /// Chart's note.
    ChartNote => { ja: "登録は今の同意の日、配信停止は停止した日で数えます。", en: "A sign-up counts on the day of the consent in force, an unsubscribe on the day it was made." }
    /// Heading: how people left.
    HowLeft => { ja: "配信停止の方法", en: "How people left" }
    /// Heading: reasons.
    Reasons => { ja: "配信停止の理由（任意回答）", en: "Reasons given for leaving" }
    /// Heading: sources.
    Sources => { ja: "登録元（フォーム別）", en: "Sign-ups per form" }
    /// Column: way.
    Way => { ja: "方法", en: "Way" }
    /// Column: what.
    What => { ja: "内容", en: "What" }
    /// Column: form.
    Form => { ja: "フォーム・方法", en: "Form or method" }
    /// Status.
    Active => { ja: "配信中", en: "Active" }
    /// Status.
    Pending => { ja: "確認待ち", en: "Pending" }
    /// Status.
    Paused => { ja: "一時停止中", en: "Paused" }
    /// Status: consent older than the list's consent_max_age_days.
    Stale => { ja: "同意の期限切れ（再確認待ち）", en: "Consent aged out (awaiting renewal)" }
    /// Status.
    Unsubscribed => { ja: "配信停止", en: "Unsubscribed" }
    /// Status.
    Suppressed => { ja: "送信者が停止（バウンス・苦情・手動）", en: "Suppressed (bounce, complaint, by hand)" }
    /// Status.
    Erased => { ja: "消去済み", en: "Erased" }
    /// Via.
    OneClick => { ja: "ワンクリック（メールソフト）", en: "One-click (mail client)" }
    /// Via.
    Page => { ja: "配信停止・設定ページ", en: "Unsubscribe or preference page" }
    /// Via.
    Mailto => { ja: "メールでの停止依頼", en: "Mail to the unsubscribe address" }
    /// Via.
    NotMe => { ja: "「登録していない」", en: "“This wasn’t me”" }
    /// Via.
    Api => { ja: "送信者API", en: "Sender API" }
    /// Via.
    Complaint => { ja: "迷惑メール報告", en: "Spam complaint" }
    /// Via.
    Bounce => { ja: "バウンス", en: "Bounce" }
    /// Via.
    Manual => { ja: "手動", en: "By hand" }
    /// Via.
    Erasure => { ja: "消去", en: "Erasure" }
    /// Source without a form: imported.
    ByImport => { ja: "インポート", en: "Import" }
    /// Source without a form: the sender API.
    ByApi => { ja: "API", en: "API" }
    /// Source without a form: the preference page's resubscribe.
    ByPreferencePage => { ja: "配信設定ページでの再登録", en: "Resubscribed on the preference page" }
    /// Source without a form: the re-permission page.
    ByRenewalPage => { ja: "再確認ページで継続", en: "Renewed on the re-permission page" }
    /// Activity page help.
    ActivityHelp => { ja: "全購読者の最近の出来事（新しい順）。アドレスは表示しません。購読者IDから本人のページを開けます。", en: "The latest events across all subscribers, newest first, without addresses. Open a person from their subscriber id." }
    /// Column: time JST.
    TimeJst => { ja: "日時（日本時間）", en: "Time (JST)" }
    /// Column: UTC.
    TimeUtc => { ja: "UTC", en: "UTC" }
    /// Column: subscriber.
    Subscriber => { ja: "購読者ID", en: "Subscriber id" }
    /// Column: list.
    List => { ja: "リスト", en: "List" }
    /// Column: event.
    Event => { ja: "出来事", en: "Event" }
    /// Kind.
    KSubscribed => { ja: "登録", en: "Signed up" }
    /// Kind.
    KConfirmed => { ja: "登録を確認", en: "Confirmed" }
    /// Kind.
    KPreferences => { ja: "設定を変更", en: "Changed preferences" }
    /// Kind.
    KUnsubscribed => { ja: "配信停止", en: "Unsubscribed" }
    /// Kind.
    KResubscribed => { ja: "再登録", en: "Resubscribed" }
    /// Kind.
    KRenewed => { ja: "同意を更新", en: "Renewed consent" }
    /// Kind.
    KReason => { ja: "理由を回答", en: "Gave a reason" }
    /// Kind.
    KErased => { ja: "消去", en: "Erased" }
    /// Newer page.
    Newer => { ja: "新しい出来事", en: "Newer" }
    /// Older page.
    Older => { ja: "古い出来事", en: "Older" }
    /// Page n of m.
    PageOf => { ja: "{n} / {of} ページ", en: "Page {n} of {of}" }
    /// Pager landmark.
    Pages => { ja: "ページ", en: "Pages" }
    /// Nothing yet.
    NoActivity => { ja: "まだ出来事はありません。", en: "No events yet." }
    /// Person without a stored address.
    NoAddress => { ja: "この購読者のアドレスは保存されていません（消去済み）。", en: "No address is stored for this subscriber (erased)." }
    /// All lists (an event without one).
    Everything => { ja: "すべて", en: "all" }
}

impl O {
    /// The name of a standing.
    pub fn standing(s: Standing) -> O {
        match s {
            Standing::Active => O::Active,
            Standing::Pending => O::Pending,
            Standing::Unsubscribed => O::Unsubscribed,
            Standing::Suppressed => O::Suppressed,
            Standing::Erased => O::Erased,
        }
    }

    /// The name of a source that is not a form (`console::summary::method_name`).
    pub fn method(name: &str) -> Option<O> {
        Some(match name {
            "import" => O::ByImport,
            "api" => O::ByApi,
            "preference_page" => O::ByPreferencePage,
            "renewal_page" => O::ByRenewalPage,
            _ => return None,
        })
    }

    /// The name of a way of leaving.
    pub fn via(v: Via) -> O {
        match v {
            Via::OneClick => O::OneClick,
            Via::Page => O::Page,
            Via::Mailto => O::Mailto,
            Via::NotMe => O::NotMe,
            Via::Api => O::Api,
            Via::Complaint => O::Complaint,
            Via::Bounce => O::Bounce,
            Via::Manual => O::Manual,
            Via::Erasure => O::Erasure,
        }
    }

    /// The name of an event's kind.
    pub fn kind(k: Kind) -> O {
        match k {
            Kind::Subscribed => O::KSubscribed,
            Kind::Confirmed => O::KConfirmed,
            Kind::Preferences => O::KPreferences,
            Kind::Unsubscribed => O::KUnsubscribed,
            Kind::Resubscribed => O::KResubscribed,
            Kind::Renewed => O::KRenewed,
            Kind::Reason => O::KReason,
            Kind::Erased => O::KErased,
        }
    }
}

/// `O::text` with `{name}` placeholders filled.
pub fn fill(msg: O, locale: Locale, args: &[(&str, &str)]) -> String {
    doi_core::text::fill(msg.text(locale), args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_overview_message_has_text_in_both_languages() {
        for m in O::ALL {
            for l in Locale::ALL {
                assert!(!m.text(l).trim().is_empty(), "{m:?} in {l:?}");
            }
        }
    }
}
