//! Every user-facing string, in Japanese and English, in one catalogue.
//!
//! Pages and the widget look strings up here by [`Msg`]; a message without
//! both languages does not compile. Templates mark their arguments with
//! `{name}` and are filled by [`fill`]. The catalogue holds plain text:
//! escaping for HTML is the renderer's job.

use crate::prelude::*;

use crate::email::EmailError;
use crate::locale::Locale;

macro_rules! catalogue {
    ($($(#[$doc:meta])* $name:ident => { ja: $ja:expr, en: $en:expr $(,)? })*) => {
        /// A message in the catalogue.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg {
            $($(#[$doc])* $name,)*
        }

        impl Msg {
            /// Every message, for completeness checks.
            pub const ALL: &'static [Msg] = &[$(Msg::$name,)*];

            /// The message in `locale`. A `const fn`, so that the widget can
            /// resolve the few messages it shows at compile time and leave
            /// the rest of the catalogue out of the browser's download.
            pub const fn text(self, locale: Locale) -> &'static str {
                match (self, locale) {
                    $((Msg::$name, Locale::Ja) => $ja, (Msg::$name, Locale::En) => $en,)*
                }
            }
        }
    };
}

catalogue! {
    // ---- shared -------------------------------------------------------
    /// Label of the email field.
    EmailLabel => { ja: "メールアドレス", en: "Email address" }
    /// Legend of the topic choices.
    TopicsLegend => { ja: "受け取りたい内容", en: "What you'd like to receive" }
    /// Legend of the frequency choices.
    FrequencyLegend => { ja: "配信頻度", en: "How often" }
    /// Link text to the privacy policy.
    PrivacyPolicy => { ja: "プライバシーポリシー", en: "Privacy policy" }
    /// Marks a required field for screen readers and sighted users.
    Required => { ja: "必須", en: "required" }
    /// Name of the language switcher.
    LanguageSwitch => { ja: "言語", en: "Language" }
    /// Skip link / main landmark label.
    MainContent => { ja: "本文", en: "Main content" }

    // ---- signup (widget and hosted form) -----------------------------
    /// Submit button of a signup form.
    Subscribe => { ja: "登録する", en: "Subscribe" }
    /// Shown while the signup is being sent.
    Sending => { ja: "送信しています…", en: "Sending…" }
    /// Shown before a retry after a network failure.
    Retrying => { ja: "接続できませんでした。もう一度試しています…", en: "Couldn't connect. Trying again…" }
    /// The consent box was not ticked.
    ConsentRequired => { ja: "メールの受け取りに同意する場合は、チェックを入れてください。", en: "Please tick the box if you agree to receive email." }
    /// Generic invalid email (see [`email_error`] for details).
    EmailInvalid => { ja: "メールアドレスを確認してください。", en: "Please check your email address." }
    /// Final failure after retries.
    NetworkFailed => { ja: "送信できませんでした。時間をおいてもう一度お試しください。登録はまだ完了していません。", en: "We couldn't send this. Please try again later. You are not signed up yet." }
    /// Success without double opt-in.
    Subscribed => { ja: "登録しました。ありがとうございます。", en: "You're subscribed. Thank you." }
    /// Success with double opt-in.
    CheckInbox => { ja: "確認メールを送りました。メール内のリンクから登録を完了してください。", en: "We've sent you an email. Open the link in it to confirm your subscription." }
    /// Link to the hosted page when the widget cannot run.
    SignupElsewhere => { ja: "登録ページを開く", en: "Open the signup page" }
    /// Explains the fallback link.
    WidgetUnavailable => { ja: "このページでは登録フォームを表示できません。", en: "The signup form can't be shown on this page." }
    /// Title of the hosted signup page.
    SignupTitle => { ja: "メール配信の登録", en: "Sign up for email" }
    /// The server refused the submission for a reason the person can fix.
    SubmissionRefused => { ja: "登録できませんでした。内容を確認してください。", en: "We couldn't sign you up. Please check the form." }
    /// Topics were offered and the person unticked every one.
    TopicRequired => { ja: "受け取りたい内容を1つ以上選んでください。", en: "Please choose at least one topic." }
    /// The Turnstile bot check failed or was not done.
    TurnstileFailed => { ja: "ロボットによる送信ではないことを確認できませんでした。確認が終わるのを待って、もう一度お試しください。", en: "We couldn't confirm that a person sent this. Wait for the check to finish and try again." }
    /// The consent text changed while the page was open.
    ConsentTextChanged => { ja: "同意文が更新されました。ページを再読み込みして、新しい内容をご確認ください。", en: "The consent text has changed. Please reload the page and read the new text." }

    // ---- confirmation (double opt-in) -------------------------------
    /// Title of the confirmation page.
    ConfirmTitle => { ja: "登録の確認", en: "Confirm your subscription" }
    /// Lead text of the confirmation page, `{sender}`.
    ConfirmLead => { ja: "{sender} からのメール配信の登録を完了するには、下のボタンを押してください。", en: "Press the button below to confirm that you want email from {sender}." }
    /// Button on the confirmation page.
    ConfirmButton => { ja: "登録を完了する", en: "Confirm subscription" }
    /// After confirming, `{sender}`.
    Confirmed => { ja: "登録が完了しました。{sender} からのメールをお届けします。", en: "Your subscription is confirmed. You will receive email from {sender}." }
    /// "This wasn't me" in a confirmation mail.
    NotMe => { ja: "心当たりがない場合は、こちらから配信を停止できます", en: "If this wasn't you, stop all mail here" }
    /// Subject of the confirmation mail, `{sender}`.
    ConfirmMailSubject => { ja: "【{sender}】メール配信登録の確認", en: "Confirm your subscription to {sender}" }
    /// Body of the confirmation mail, `{sender}`.
    ConfirmMailBody => { ja: "{sender} のメール配信にご登録いただきありがとうございます。次のリンクを開き、ボタンを押して登録を完了してください。", en: "Thank you for signing up for email from {sender}. Open the link below and press the button to confirm." }

    // ---- unsubscribe and preferences ---------------------------------
    /// Title of the unsubscribe page.
    UnsubscribeTitle => { ja: "配信停止", en: "Unsubscribe" }
    /// The one button that stops everything, `{sender}`.
    UnsubscribeAll => { ja: "{sender} からのメールをすべて停止する", en: "Stop all email from {sender}" }
    /// Lead under the big button.
    UnsubscribeLead => { ja: "ボタンを1回押すだけで、すべての配信が停止します。", en: "One press stops every email. Nothing else is needed." }
    /// Heading of the "or change what you get" section.
    OrChoose => { ja: "すべて停止せずに、内容や頻度を変えることもできます", en: "Or keep some email: choose topics or get it less often" }
    /// After unsubscribing from all, `{sender}`.
    UnsubscribedAll => { ja: "配信を停止しました。{sender} からのメールは今後届きません。", en: "You're unsubscribed. You will receive no more email from {sender}." }
    /// After unsubscribing from one topic, `{topic}`.
    UnsubscribedTopic => { ja: "「{topic}」の配信を停止しました。", en: "You will no longer receive “{topic}”." }
    /// Title of the preference page.
    PreferencesTitle => { ja: "配信設定", en: "Email preferences" }
    /// Save button of the preference page.
    SavePreferences => { ja: "設定を保存する", en: "Save preferences" }
    /// After saving preferences.
    PreferencesSaved => { ja: "設定を保存しました。", en: "Your preferences are saved." }
    /// Summary: you receive these topics, `{topics}`.
    NowReceiving => { ja: "現在受け取る内容: {topics}", en: "You now receive: {topics}" }
    /// Summary: you receive nothing.
    NowReceivingNothing => { ja: "現在、メールは届きません。", en: "You currently receive no email." }
    /// Label of "pause for a while".
    PauseLegend => { ja: "しばらく休止する", en: "Pause for a while" }
    /// No pause.
    PauseNone => { ja: "休止しない", en: "Don't pause" }
    /// Pause for 30 days.
    Pause30 => { ja: "30日間休止", en: "Pause for 30 days" }
    /// Pause for 90 days.
    Pause90 => { ja: "90日間休止", en: "Pause for 90 days" }
    /// Paused until `{date}`.
    PausedUntil => { ja: "{date} まで配信を休止します。", en: "Email is paused until {date}." }
    /// Beside a topic the person stopped, on the preference page.
    TopicStopped => { ja: "(停止中:下の「受け取りを再開する」で再開できます)", en: "(stopped: use “Start receiving email again” below to resume it)" }
    /// Resubscribe button, `{sender}`.
    Resubscribe => { ja: "{sender} からのメールの受け取りを再開する", en: "Start receiving email from {sender} again" }
    /// After resubscribing.
    Resubscribed => { ja: "配信を再開しました。", en: "You're subscribed again." }
    /// Optional reason for leaving.
    ReasonLegend => { ja: "よろしければ、停止の理由をお聞かせください(任意)", en: "If you like, tell us why (optional)" }
    /// Reason: too many.
    ReasonTooMany => { ja: "メールが多すぎる", en: "Too many emails" }
    /// Reason: not relevant.
    ReasonNotRelevant => { ja: "内容が合わない", en: "Not relevant to me" }
    /// Reason: never signed up.
    ReasonNeverSignedUp => { ja: "登録した覚えがない", en: "I never signed up" }
    /// Reason: other.
    ReasonOther => { ja: "その他", en: "Other" }
    /// Send the reason.
    SendReason => { ja: "理由を送る", en: "Send reason" }
    /// Thanks for the reason.
    ReasonThanks => { ja: "ご意見ありがとうございます。", en: "Thank you for telling us." }
    /// Link to the preference page.
    ManagePreferences => { ja: "配信設定を変更する", en: "Change email preferences" }
    /// The person is not subscribed to the list at all.
    NotSubscribed => { ja: "このアドレスは現在登録されていません。", en: "This address is not subscribed." }
    /// After unsubscribing from one list, `{list}`.
    UnsubscribedList => { ja: "「{list}」の配信を停止しました。", en: "You will no longer receive “{list}”." }
    /// Smaller button on the unsubscribe page for a topic link, `{topic}`.
    UnsubscribeTopicOnly => { ja: "「{topic}」だけを停止する", en: "Stop only “{topic}”" }
    /// Summary while a double opt-in signup waits for its confirmation.
    PendingConfirmation => { ja: "登録の確認待ちです。お送りした確認メールのリンクを開いてください。", en: "Your subscription is waiting for confirmation. Open the link in the email we sent you." }
    /// Summary: the frequency now chosen, `{frequency}`.
    NowFrequency => { ja: "配信頻度: {frequency}", en: "How often: {frequency}" }
    /// Intro above the resubscribe button: the consent text follows.
    ResubscribeConsent => { ja: "再開すると、次の内容に同意したことになります:", en: "By starting again, you agree to the following:" }
    /// Label of the hidden anti-bot field (people never see it).
    HoneypotLabel => { ja: "この欄は空のままにしてください", en: "Leave this field empty" }

    // ---- re-permission (consent that ages) ---------------------------
    /// Title of the re-permission page.
    RenewTitle => { ja: "配信継続の確認", en: "Do you still want our email?" }
    /// Lead of the re-permission page, `{sender}`.
    RenewLead => { ja: "{sender} からのメールを今後も受け取りたい場合は、下のボタンを押してください。押さなければ、まもなく配信を止めます。", en: "If you'd like to keep receiving email from {sender}, press the button below. If you don't, we will soon stop sending it." }
    /// The button that renews consent.
    RenewButton => { ja: "今後も受け取る", en: "Yes, keep sending me email" }
    /// After renewing, `{sender}`.
    Renewed => { ja: "ありがとうございます。{sender} からのメールを引き続きお届けします。", en: "Thank you. You will keep receiving email from {sender}." }
    /// Nothing to renew (left, pending or never subscribed): the standing follows.
    RenewNothing => { ja: "継続できる登録がありません。現在の状況は次のとおりです。", en: "There is no subscription to renew. This is where things stand:" }

    // ---- "lost the mail? get a link" (/m) -----------------------------
    /// Title of the page.
    ManageTitle => { ja: "配信設定のリンクを受け取る", en: "Get a link to your email settings" }
    /// Lead of the page, `{sender}`.
    ManageLead => { ja: "{sender} からのメールを見つけられない場合は、登録したメールアドレスを入力してください。配信設定(停止・変更)へのリンクをお送りします。", en: "Can't find an email from {sender}? Enter the address you signed up with and we'll send it a link to your email settings, where you can change or stop what you receive." }
    /// The page's button.
    ManageButton => { ja: "リンクを送る", en: "Send me a link" }
    /// The one answer, whatever the address.
    ManageSent => { ja: "このアドレスが登録されていれば、配信設定へのリンクをお送りしました。数分たっても届かない場合は、迷惑メールフォルダもご確認ください。", en: "If this address is subscribed, we've sent it a link to its email settings. If nothing arrives within a few minutes, check your spam folder." }
    /// Link to the page, in every page's and mail's footer.
    ManageLink => { ja: "メールをなくした場合:配信設定のリンクを受け取る", en: "Lost the mail? Get a link" }
    /// Subject of the mail, `{sender}`.
    ManageMailSubject => { ja: "【{sender}】配信設定のリンク", en: "Your link to your email settings at {sender}" }
    /// Body of the mail, `{sender}`.
    ManageMailBody => { ja: "{sender} の配信設定へのリンクをお送りします。次のリンクから、受け取る内容の変更や配信停止ができます。", en: "Here is the link to your email settings at {sender}. Open it to change what you receive or to unsubscribe." }
    /// The mail's "not you?" line.
    ManageMailIgnore => { ja: "お心当たりがない場合は、このメールを破棄してください。何も変更されません。", en: "If you didn't ask for this, ignore this email: nothing changes." }

    // ---- errors -------------------------------------------------------
    /// Title of the invalid-link page.
    InvalidLinkTitle => { ja: "このリンクは使えません", en: "This link doesn't work" }
    /// Body of the invalid-link page.
    InvalidLinkBody => { ja: "リンクが途中で切れているか、正しくない可能性があります。メールのリンクをもう一度開くか、送信者にお問い合わせください。", en: "The link may be cut off or incorrect. Open the link from the email again, or contact the sender." }
    /// Body when a confirmation link expired.
    ExpiredLinkBody => { ja: "この確認リンクは有効期限が切れています。もう一度登録してください。", en: "This confirmation link has expired. Please sign up again." }
    /// Title of a generic error page.
    ErrorTitle => { ja: "エラーが発生しました", en: "Something went wrong" }
    /// Body of a retryable error page.
    TryAgainLater => { ja: "処理を完了できませんでした。変更は保存されていません。しばらくしてからもう一度お試しください。", en: "We couldn't finish this, and nothing was changed. Please try again in a moment." }
    /// Page not found.
    NotFound => { ja: "ページが見つかりません", en: "Page not found" }
    /// Too many requests.
    TooManyRequests => { ja: "リクエストが多すぎます。しばらくしてからお試しください。", en: "Too many requests. Please wait a moment and try again." }

    // ---- mail footer --------------------------------------------------
    /// Footer: who sends this mail.
    FooterSender => { ja: "送信者", en: "Sender" }
    /// Footer: postal address.
    FooterAddress => { ja: "所在地", en: "Address" }
    /// Footer: contact.
    FooterContact => { ja: "お問い合わせ", en: "Contact" }
    /// Footer: why you get this mail, `{sender}`.
    FooterWhy => { ja: "このメールは {sender} の配信に登録された方にお送りしています。", en: "You receive this email because you subscribed to {sender}." }
    /// Footer: unsubscribe link label.
    FooterUnsubscribe => { ja: "配信停止はこちら", en: "Unsubscribe" }
    /// Footer: preferences link label.
    FooterPreferences => { ja: "配信設定の変更", en: "Change preferences" }

    // ---- consent receipts (/r/{token}) ---------------------------------
    /// Receipt page title.
    ReceiptTitle => { ja: "同意の記録", en: "Your consent record" }
    /// Receipt page lead, `{sender}`.
    ReceiptLead => { ja: "あなたが同意した時、確認した時、同意を撤回した時に {sender} が発行した、電子署名付きの記録です。", en: "Each time you gave, confirmed or withdrew consent, {sender} issued this signed record." }
    /// A consent receipt.
    ReceiptConsent => { ja: "同意", en: "Consent given" }
    /// A confirmation receipt.
    ReceiptConfirmation => { ja: "登録の確認", en: "Subscription confirmed" }
    /// A withdrawal receipt.
    ReceiptWithdrawal => { ja: "同意の撤回（配信停止）", en: "Consent withdrawn" }
    /// Label: when.
    ReceiptWhen => { ja: "日時", en: "When" }
    /// Label: for which lists and topics.
    ReceiptPurposes => { ja: "対象", en: "For" }
    /// Every list of the sender.
    ReceiptAllLists => { ja: "すべての配信", en: "All email" }
    /// Label: how.
    ReceiptMethod => { ja: "方法", en: "How" }
    /// Label: the consent text's SHA-256.
    ReceiptTextVersion => { ja: "同意文の版 (SHA-256)", en: "Consent text version (SHA-256)" }
    /// Label: the signed head of the log.
    ReceiptHead => { ja: "署名された記録の先頭 (SHA-256)", en: "Signed head of the record (SHA-256)" }
    /// Label: the key id.
    ReceiptKey => { ja: "署名鍵", en: "Signing key" }
    /// Until when the record is kept, `{sender}` and `{date}`.
    ReceiptRetain => { ja: "{sender} は少なくとも {date} までこの記録を保存します（特定電子メール法）。", en: "{sender} keeps this record at least until {date} (Japan's Act on Specified Electronic Mail)." }
    /// Where the public keys are.
    ReceiptVerify => { ja: "署名は公開鍵で誰でも確かめられます（EdDSA / Ed25519、JWS）：", en: "Anyone can check the signatures with the public keys (EdDSA / Ed25519, JWS):" }
    /// Download link.
    ReceiptDownload => { ja: "署名付きファイルをダウンロード", en: "Download the signed file" }
    /// No receipt yet.
    ReceiptNone => { ja: "署名付きの記録はまだありません。", en: "There is no signed record yet." }
    /// Link to the receipt page from other pages and mails.
    ReceiptLink => { ja: "同意の記録（電子署名付き）", en: "Your signed consent record" }
}

/// Replaces each `{name}` in `template` with its value, in one pass: a
/// value is never searched for placeholders itself. A `{` that starts no
/// known placeholder is kept as it is.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let arg = after.find('}').and_then(|close| {
            let name = &after[..close];
            let (_, value) = args.iter().find(|(n, _)| *n == name)?;
            Some((value, close))
        });
        match arg {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A message with arguments, in `locale`.
pub fn t(msg: Msg, locale: Locale, args: &[(&str, &str)]) -> String {
    fill(msg.text(locale), args)
}

const EMAIL_INVALID_JA: &str = Msg::EmailInvalid.text(Locale::Ja);
const EMAIL_INVALID_EN: &str = Msg::EmailInvalid.text(Locale::En);

/// What to tell a person whose address was refused, in their language.
pub fn email_error(err: &EmailError, locale: Locale) -> &'static str {
    use EmailError::*;
    match (locale, err) {
        (Locale::Ja, Empty) => "メールアドレスを入力してください。",
        (Locale::En, Empty) => "Please enter your email address.",
        (Locale::Ja, MissingAt) => "メールアドレスに「@」がありません。",
        (Locale::En, MissingAt) => "The email address needs an “@”.",
        (Locale::Ja, MultipleAt) => "「@」は1つだけにしてください。",
        (Locale::En, MultipleAt) => "Use only one “@”.",
        (Locale::Ja, Whitespace) => "メールアドレスに空白が含まれています。",
        (Locale::En, Whitespace) => "The email address contains a space.",
        (Locale::Ja, DomainWithoutDot) => "「@」の後ろを example.com のような形にしてください。",
        (Locale::En, DomainWithoutDot) => "After the “@”, use a domain like example.com.",
        (Locale::Ja, TrailingDot) => "メールアドレスの最後の「.」を消してください。",
        (Locale::En, TrailingDot) => "Remove the dot at the end of the email address.",
        (Locale::Ja, TooLong | LocalPartTooLong) => "メールアドレスが長すぎます。",
        (Locale::En, TooLong | LocalPartTooLong) => "The email address is too long.",
        // Constants, not calls: a call keeps the whole catalogue (widget).
        (Locale::Ja, _) => EMAIL_INVALID_JA,
        (Locale::En, _) => EMAIL_INVALID_EN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_exists_in_both_languages_and_differs() {
        for &m in Msg::ALL {
            let (ja, en) = (m.text(Locale::Ja), m.text(Locale::En));
            assert!(!ja.trim().is_empty() && !en.trim().is_empty(), "{m:?}");
            assert_ne!(ja, en, "{m:?} is not translated");
        }
    }

    #[test]
    fn placeholders_match_between_languages() {
        let names = |s: &str| {
            let mut v: Vec<String> = s
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
                .collect();
            v.sort();
            v
        };
        for &m in Msg::ALL {
            assert_eq!(
                names(m.text(Locale::Ja)),
                names(m.text(Locale::En)),
                "{m:?}"
            );
        }
    }

    #[test]
    fn fill_never_reads_placeholders_inside_values() {
        assert_eq!(
            fill("{a} and {a}, {b} {unknown} {", &[("a", "{b}"), ("b", "B")]),
            "{b} and {b}, B {unknown} {"
        );
        assert_eq!(
            fill("こんにちは {name}さん", &[("name", "太郎")]),
            "こんにちは 太郎さん"
        );
    }

    #[test]
    fn fill_replaces_every_placeholder() {
        assert_eq!(
            t(Msg::UnsubscribeAll, Locale::En, &[("sender", "ACME")]),
            "Stop all email from ACME"
        );
        assert!(t(
            Msg::UnsubscribedAll,
            Locale::Ja,
            &[("sender", "株式会社サンプル")]
        )
        .contains("株式会社サンプル"));
    }

    #[test]
    fn email_errors_are_explained_in_both_languages() {
        for e in [
            EmailError::Empty,
            EmailError::MissingAt,
            EmailError::TrailingDot,
            EmailError::InvalidDomainChar('_'),
        ] {
            assert_ne!(email_error(&e, Locale::Ja), email_error(&e, Locale::En));
        }
    }
}
