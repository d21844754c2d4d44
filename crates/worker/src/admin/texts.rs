//! The console's strings, Japanese and English, in a catalogue of its own
//! beside doi-core's (the console is only in the Worker: none of this
//! reaches the widget). A message without both languages does not compile.

use doi_core::Locale;

macro_rules! console_catalogue {
    ($($(#[$doc:meta])* $name:ident => { ja: $ja:expr, en: $en:expr $(,)? })*) => {
        /// A console message.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum C {
            $($(#[$doc])* $name,)*
        }

        impl C {
            /// Every message, for completeness checks.
            pub const ALL: &'static [C] = &[$(C::$name,)*];

            /// The message in `locale`.
            pub const fn text(self, locale: Locale) -> &'static str {
                match (self, locale) {
                    $((C::$name, Locale::Ja) => $ja, (C::$name, Locale::En) => $en,)*
                }
            }
        }
    };
}

console_catalogue! {
    /// The console's name.
    Console => { ja: "管理コンソール", en: "Console" }
    /// Navigation landmark.
    Nav => { ja: "コンソールのメニュー", en: "Console menu" }
    /// Sign-in page title.
    SignInTitle => { ja: "コンソールにサインイン", en: "Sign in to the console" }
    /// What the token sign-in needs.
    SignInHelp => { ja: "送信者APIのトークン（DOI_API_TOKEN）を入力してください。サインインは8時間有効です。", en: "Enter the sender API token (DOI_API_TOKEN). A sign-in lasts 8 hours." }
    /// Token field label.
    TokenLabel => { ja: "APIトークン", en: "API token" }
    /// Sign-in button.
    SignIn => { ja: "サインイン", en: "Sign in" }
    /// Sign-out button.
    SignOut => { ja: "サインアウト", en: "Sign out" }
    /// Wrong token.
    WrongToken => { ja: "トークンが違います。", en: "That token is not right." }
    /// Signed out, or the session ended.
    SignInFirst => { ja: "このページを見るにはサインインしてください。", en: "Please sign in to see this page." }
    /// Access is configured but the request has no valid Access token.
    AccessRequired => { ja: "このコンソールはCloudflare Accessで保護されています。Accessを通してサインインしてください。", en: "This console is protected by Cloudflare Access. Please sign in through Access." }
    /// A form without a valid CSRF token or from another origin.
    FormExpired => { ja: "フォームの有効期限が切れました。ページを開き直してもう一度お試しください。", en: "This form has expired. Please reload the page and try again." }
    /// Who is signed in.
    SignedInAs => { ja: "サインイン中", en: "Signed in as" }
    /// The token sign-in's identity.
    TokenHolder => { ja: "APIトークンの保有者", en: "API token holder" }
    /// The overview's title and nav item (issue 13).
    OverviewTitle => { ja: "概要", en: "Overview" }
    /// The activity's title and nav item (issue 13).
    ActivityTitle => { ja: "最近の出来事", en: "Activity" }
    /// Home page title and nav item.
    Home => { ja: "購読者を調べる", en: "Look up a subscriber" }
    /// Lookup help.
    LookupHelp => { ja: "メールアドレスはURLに入らないよう、フォームで送信されます。", en: "The address is sent in a form, never in a URL." }
    /// Lookup button.
    LookUp => { ja: "調べる", en: "Look up" }
    /// Invalid address typed.
    BadAddress => { ja: "メールアドレスの形式が正しくありません。", en: "That is not a valid email address." }
    /// No such subscriber.
    NoSubscriber => { ja: "このアドレスの記録はありません。", en: "There is no record for this address." }
    /// Person page title.
    Person => { ja: "購読者", en: "Subscriber" }
    /// Subscriber id label.
    SubscriberId => { ja: "購読者ID", en: "Subscriber id" }
    /// Current state heading.
    CurrentState => { ja: "現在の状態", en: "Current state" }
    /// List column.
    List => { ja: "リスト", en: "List" }
    /// Status column.
    Status => { ja: "状態", en: "Status" }
    /// Topics column.
    Topics => { ja: "トピック", en: "Topics" }
    /// Frequency column.
    Frequency => { ja: "頻度", en: "Frequency" }
    /// May-send column.
    MaySend => { ja: "送信可否", en: "May we send?" }
    /// Yes.
    Yes => { ja: "はい", en: "yes" }
    /// No.
    No => { ja: "いいえ", en: "no" }
    /// Events heading.
    Events => { ja: "すべての記録", en: "Every event" }
    /// Time column (JST).
    TimeJst => { ja: "日時（日本時間）", en: "Time (JST)" }
    /// Time column (UTC).
    TimeUtc => { ja: "日時（UTC）", en: "Time (UTC)" }
    /// Event column.
    Event => { ja: "記録", en: "Event" }
    /// Details column.
    Details => { ja: "詳細", en: "Details" }
    /// Log verification.
    LogVerifies => { ja: "記録の改ざん検査：すべての記録が連鎖し、検証できました。", en: "Log check: every event links and verifies." }
    /// Log verification failed.
    LogBroken => { ja: "記録の改ざん検査：検証できない記録があります。", en: "Log check: some events do not verify." }
    /// Proof link/button.
    Proof => { ja: "同意の証明（印刷用）", en: "Proof of consent (printable)" }
    /// Proof intro.
    ProofIntro => { ja: "この文書は、下記の購読者がメール受信に同意した記録を、保存された記録そのものから示すものです。", en: "This document shows, from the stored records themselves, how the subscriber below consented to receive email." }
    /// Who.
    Who => { ja: "誰が", en: "Who" }
    /// Address label.
    Address => { ja: "メールアドレス", en: "Email address" }
    /// When.
    When => { ja: "いつ", en: "When" }
    /// How.
    How => { ja: "どのように", en: "How" }
    /// Where.
    Where => { ja: "どのページで", en: "On which page" }
    /// The consent text.
    TextShown => { ja: "表示された同意文（そのまま）", en: "The consent text as shown (exactly)" }
    /// The form.
    Form => { ja: "フォーム", en: "Form" }
    /// Text version.
    TextVersion => { ja: "同意文の版（SHA-256）", en: "Text version (SHA-256)" }
    /// Text not stored.
    TextMissing => { ja: "（同意文が保存されていません）", en: "(the text is not stored)" }
    /// Consents heading.
    Consents => { ja: "同意", en: "Consents" }
    /// Widget method.
    ViaWidget => { ja: "サイトの登録フォーム（ウィジェット）", en: "signup widget on the site" }
    /// How: the widget's consent box in the site's own form.
    ViaWidgetAttach => { ja: "サイト独自のフォームに追加された同意欄（ウィジェットのattachモード）", en: "the widget's consent box in the site's own form (attach mode)" }
    /// Attach method.
    ViaAttach => { ja: "既存フォームに追加した同意欄（ウィジェット）", en: "consent box added to an existing form (widget)" }
    /// Hosted page method.
    ViaHosted => { ja: "Dōiの登録ページ", en: "Dōi's hosted signup page" }
    /// Import method.
    ViaImport => { ja: "インポート（出典つき）", en: "import (with its provenance)" }
    /// API method.
    ViaApi => { ja: "送信者API", en: "sender API" }
    /// Renewal method (the re-permission page, /n/{token}).
    ViaRenewal => { ja: "配信継続の確認ページ（同意の更新）", en: "the re-permission page (consent renewed)" }
    /// Confirmed.
    Confirmed => { ja: "確認メールのリンクで確認済み", en: "confirmed through the link in the confirmation mail" }
    /// Not confirmed.
    NotConfirmed => { ja: "未確認", en: "not confirmed" }
    /// Print hint.
    PrintHint => { ja: "ブラウザの印刷機能で印刷、またはPDFとして保存できます。", en: "Print it, or save it as PDF, with the browser's print command." }
    /// Generated at.
    Generated => { ja: "作成日時", en: "Generated" }
    /// Suppress button.
    Suppress => { ja: "配信停止にする", en: "Suppress" }
    /// Erase button.
    Erase => { ja: "個人データを消去する", en: "Erase personal data" }
    /// Confirm step title.
    AreYouSure => { ja: "本当に実行しますか？", en: "Are you sure?" }
    /// Suppress explanation.
    SuppressExplain => { ja: "このアドレスへの配信をすべて停止します。記録は残り、新たな同意（再登録）があるまで解除されません。", en: "Stops all mail to this address. It is recorded, and stays until the person resubscribes with fresh consent." }
    /// Erase explanation.
    EraseExplain => { ja: "このアドレスと同意の証拠をすべて消去します。購読者IDは配信停止のまま残ります。元に戻せません。", en: "Deletes the address and all evidence of consent. The subscriber id stays suppressed. This cannot be undone." }
    /// Reason label.
    Reason => { ja: "理由", en: "Reason" }
    /// Erasure's legal reason, inside the record-keeping period.
    LegalReason => { ja: "法的な理由（特定電子メール法の保存期間中に消去する場合は必須）", en: "Legal reason (required to erase inside the record-keeping period of Japan's Act on Specified Electronic Mail)" }
    /// No legal reason given.
    LegalNone => { ja: "なし（保存期間外）", en: "none (outside the period)" }
    /// GDPR art. 17.
    LegalGdpr => { ja: "GDPR第17条による消去請求（例外に当たらないと判断）", en: "GDPR art. 17 erasure request (no exemption applies)" }
    /// Never this person's consent.
    LegalNoConsent => { ja: "本人の同意ではなかった（なりすまし・入力誤り）", en: "never this person's consent (not them, a typo)" }
    /// A court or regulator.
    LegalOrder => { ja: "裁判所・規制当局の命令", en: "an order of a court or a regulator" }
    /// Refused inside the period without a reason.
    RetentionNeedsReason => { ja: "この記録は保存期間中です（特定電子メール法施行規則4条）。消去するには法的な理由を選んでください。", en: "This record is inside its record-keeping period (Japan's Act on Specified Electronic Mail). Choose the legal reason to erase it." }
    /// Reason: manual.
    ReasonManual => { ja: "手動（本人の依頼など）", en: "manual (the person asked, …)" }
    /// Reason: bounce.
    ReasonBounce => { ja: "不達（バウンス）", en: "bounce" }
    /// Reason: complaint.
    ReasonComplaint => { ja: "迷惑メール報告", en: "complaint" }
    /// Confirm suppress.
    YesSuppress => { ja: "はい、配信停止にします", en: "Yes, suppress" }
    /// Confirm erase.
    YesErase => { ja: "はい、消去します", en: "Yes, erase" }
    /// Cancel.
    Cancel => { ja: "やめる", en: "Cancel" }
    /// Done: suppressed.
    Suppressed => { ja: "配信停止にしました。", en: "Suppressed." }
    /// Done: erased.
    Erased => { ja: "消去しました。購読者IDは配信停止のまま残ります。", en: "Erased. The subscriber id stays suppressed." }
    /// Upload page title and nav item.
    UploadTitle => { ja: "まとめて配信停止", en: "Suppress a list" }
    /// Upload help; {max} is the batch limit.
    UploadHelp => { ja: "CSVファイル（1列目、または「email」「メールアドレス」の列）をアップロードします。1回に{max}件まで：それより多い場合は分けるか、`doi suppress` をお使いください。", en: "Upload a CSV file (the first column, or the one headed “email”). Up to {max} addresses at a time: split a longer list, or use `doi suppress`." }
    /// File label.
    File => { ja: "CSVファイル", en: "CSV file" }
    /// Upload button.
    Upload => { ja: "アップロードして配信停止", en: "Upload and suppress" }
    /// Upload result; {n} suppressed.
    UploadDone => { ja: "{n}件を配信停止にしました。", en: "{n} addresses suppressed." }
    /// Rows skipped heading.
    Skipped => { ja: "処理しなかった行", en: "Lines not processed" }
    /// Line column.
    Line => { ja: "行", en: "Line" }
    /// Too many rows; {n} found, {max} allowed.
    TooMany => { ja: "{n}件あります。1回に{max}件までです。ファイルを分けてください。", en: "The file has {n} addresses; at most {max} at a time. Please split it." }
    /// The file was not UTF-8 (Shift_JIS from Excel, typically).
    NotUtf8 => { ja: "このファイルはUTF-8ではありません（日本語版Excelの「CSV」はShift_JISです）。英数字のアドレスは読み取りましたが、日本語を含むアドレスは読めません。確実に読み取るには「CSV UTF-8」で保存してください。", en: "This file is not UTF-8 (a Japanese Excel saves “CSV” as Shift_JIS). Addresses in plain ASCII were read; any with Japanese characters could not be. Save as “CSV UTF-8” to be sure." }
    /// Empty file.
    EmptyFile => { ja: "アドレスが見つかりませんでした。", en: "No address found in the file." }
    /// Skip reason: invalid.
    InvalidRow => { ja: "メールアドレスとして読めません", en: "not a valid address" }
    /// Skip reason: budget.
    RetryRow => { ja: "今回は処理できませんでした。もう一度アップロードしてください", en: "not processed this time; upload it again" }
    /// Export page title and nav item.
    ExportTitle => { ja: "エクスポート", en: "Export" }
    /// Export help; {max} per file.
    ExportHelp => { ja: "購読者と同意の証拠をNDJSONでダウンロードします（1ファイル{max}人まで。続きは「次へ」から）。`doi export` と同じ内容で、`doi verify` で検証できます。", en: "Download subscribers and their evidence as NDJSON ({max} per file; the rest through “Next”). The same as `doi export`, and `doi verify` checks it." }
    /// Download link.
    Download => { ja: "このページをダウンロード", en: "Download this page" }
    /// Next page.
    Next => { ja: "次へ", en: "Next" }
    /// No subscribers.
    NothingYet => { ja: "まだ購読者はいません。", en: "No subscribers yet." }
}

/// `C::text` with `{name}` placeholders filled.
pub fn fill(msg: C, locale: Locale, args: &[(&str, &str)]) -> String {
    doi_core::text::fill(msg.text(locale), args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_console_message_exists_in_both_languages_and_differs() {
        for m in C::ALL {
            let (ja, en) = (m.text(Locale::Ja), m.text(Locale::En));
            assert!(!ja.is_empty() && !en.is_empty() && ja != en, "{m:?}");
        }
    }
}
