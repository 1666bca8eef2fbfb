//! Every command, flag and argument explains itself in `--help`.

use clap::CommandFactory;

use super::Cli;

fn missing_help(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
    for arg in cmd.get_arguments() {
        // clap's own --help and --version.
        if matches!(arg.get_id().as_str(), "help" | "version") {
            continue;
        }
        let help = arg.get_help().or(arg.get_long_help());
        if help.is_none_or(|h| h.to_string().trim().is_empty()) {
            missing.push(format!("{path} {}", arg.get_id()));
        }
    }
    for sub in cmd.get_subcommands() {
        let sub_path = format!("{path} {}", sub.get_name());
        if sub.get_name() != "help" && sub.get_about().is_none() {
            missing.push(format!("{sub_path} (no about)"));
        }
        missing_help(sub, &sub_path, missing);
    }
}

#[test]
fn every_flag_argument_and_command_has_help_text() {
    let mut missing = Vec::new();
    missing_help(&Cli::command(), "toolhost", &mut missing);
    assert!(missing.is_empty(), "without help text: {missing:#?}");
}

#[test]
fn agent_help_names_the_api_key_variables() {
    let mut cmd = Cli::command();
    let agent = cmd.find_subcommand_mut("agent").expect("agent subcommand");
    let help = agent.render_long_help().to_string();
    assert!(help.contains("TOOLHOST_LLM_API_KEY"), "{help}");
    assert!(help.contains("OPENAI_API_KEY"), "{help}");
}
