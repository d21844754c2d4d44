//! The journal: what a rerun resumes, and when it starts afresh.

use super::*;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("doi-journal-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir.join("out.journal")
}

fn entry(batch: u64, offset: u64) -> Entry<u32> {
    Entry {
        batch,
        offset,
        cursor: None,
        tally: batch as u32 * 10,
    }
}

#[test]
fn a_rerun_resumes_after_the_last_batch_recorded() {
    let path = scratch("resume");
    let mut first: Journal<u32> = Journal::open(&path, "prepare", "k", None, false).unwrap();
    assert!(first.done.is_empty());
    first.record(entry(0, 100)).unwrap();
    first.record(entry(1, 200)).unwrap();
    drop(first);
    let again: Journal<u32> = Journal::open(&path, "prepare", "k", None, false).unwrap();
    assert_eq!(again.done, [entry(0, 100), entry(1, 200)]);
    assert!(!again.finished);
    assert_eq!(again.restarted, None);
}

#[test]
fn another_input_or_other_options_start_afresh_and_say_why() {
    let path = scratch("key");
    let mut first: Journal<u32> = Journal::open(&path, "prepare", "k1", None, false).unwrap();
    first.record(entry(0, 100)).unwrap();
    drop(first);
    let other: Journal<u32> = Journal::open(&path, "prepare", "k2", None, false).unwrap();
    assert!(other.done.is_empty());
    assert_eq!(
        other.restarted.as_deref(),
        Some("it is for another input or other options")
    );
    let command: Journal<u32> = Journal::open(&path, "import", "k2", None, false).unwrap();
    assert!(command.done.is_empty());
}

#[test]
fn fresh_ignores_what_was_done() {
    let path = scratch("fresh");
    let mut first: Journal<u32> = Journal::open(&path, "import", "k", None, false).unwrap();
    first.record(entry(0, 0)).unwrap();
    first.finish().unwrap();
    drop(first);
    let fresh: Journal<u32> = Journal::open(&path, "import", "k", None, true).unwrap();
    assert!(fresh.done.is_empty());
    assert!(!fresh.finished);
}

#[test]
fn a_finished_run_is_known_as_finished() {
    let path = scratch("finished");
    let mut first: Journal<u32> = Journal::open(&path, "suppress", "k", None, false).unwrap();
    first.record(entry(0, 0)).unwrap();
    first.finish().unwrap();
    drop(first);
    let again: Journal<u32> = Journal::open(&path, "suppress", "k", None, false).unwrap();
    assert!(again.finished);
    assert_eq!(again.done.len(), 1);
}

#[test]
fn a_torn_last_line_is_not_a_batch_done() {
    let path = scratch("torn");
    let mut first: Journal<u32> = Journal::open(&path, "prepare", "k", None, false).unwrap();
    first.record(entry(0, 100)).unwrap();
    drop(first);
    let mut file = OpenOptions::new().append(true).open(&path).unwrap();
    file.write_all(b"{\"batch\":1,\"offs").unwrap();
    drop(file);
    let again: Journal<u32> = Journal::open(&path, "prepare", "k", None, false).unwrap();
    assert_eq!(again.done, [entry(0, 100)]);
}

#[test]
fn batches_out_of_order_end_what_is_resumed() {
    let path = scratch("order");
    let mut first: Journal<u32> = Journal::open(&path, "prepare", "k", None, false).unwrap();
    first.record(entry(0, 100)).unwrap();
    first.record(entry(2, 300)).unwrap();
    drop(first);
    let again: Journal<u32> = Journal::open(&path, "prepare", "k", None, false).unwrap();
    assert_eq!(again.done, [entry(0, 100)]);
}

#[test]
fn a_journal_older_than_its_age_limit_starts_afresh() {
    let path = scratch("old");
    let header = r#"{"doi_journal":1,"command":"prepare","key":"k","started":1000}"#;
    let done = r#"{"batch":0,"offset":10,"tally":0}"#;
    fs::write(&path, format!("{header}\n{done}\n")).unwrap();
    let hour = Some(Duration::from_secs(3600));
    let old: Journal<u32> = Journal::open(&path, "prepare", "k", hour, false).unwrap();
    assert!(old.done.is_empty());
    assert!(old.restarted.unwrap().contains("older than 60 minutes"));
}

#[test]
fn the_output_is_cut_back_to_what_the_journal_covers() {
    let path = scratch("output").with_file_name("out.csv");
    let mut out = Output::open(&path, 0).unwrap();
    out.write(b"header\nbatch0\n").unwrap();
    let kept = out.commit().unwrap();
    out.write(b"half of batch1").unwrap();
    out.commit().unwrap();
    drop(out);
    let mut resumed = Output::open(&path, kept).unwrap();
    resumed.write(b"batch1\n").unwrap();
    resumed.commit().unwrap();
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "header\nbatch0\nbatch1\n"
    );
}

#[test]
fn an_output_shorter_than_its_journal_is_refused() {
    let path = scratch("short").with_file_name("out.csv");
    fs::write(&path, "abc").unwrap();
    assert!(Output::open(&path, 10).is_err());
}

#[test]
fn the_key_changes_with_any_part_and_with_how_parts_are_cut() {
    assert_eq!(key(&[b"a", b"bc"]), key(&[b"a", b"bc"]));
    assert_ne!(key(&[b"a", b"bc"]), key(&[b"ab", b"c"]));
    assert_ne!(key(&[b"a"]), key(&[b"b"]));
}
