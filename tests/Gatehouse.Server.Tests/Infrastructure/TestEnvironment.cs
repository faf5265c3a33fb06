namespace Gatehouse.Server.Tests.Infrastructure;

/// <summary>What scripts/test.sh set up: which database to test against, and the SMTP sink.</summary>
public static class TestEnvironment
{
    public static bool UsePostgres => string.Equals(Environment.GetEnvironmentVariable("GATEHOUSE_TEST_DB"), "postgres", StringComparison.OrdinalIgnoreCase);

    public static string PostgresConnectionString =>
        Environment.GetEnvironmentVariable("GATEHOUSE_TEST_POSTGRES")
        ?? throw new InvalidOperationException("GATEHOUSE_TEST_POSTGRES is not set: run the tests with ./scripts/test.sh, which starts PostgreSQL.");

    public static string SmtpHost => Environment.GetEnvironmentVariable("GATEHOUSE_TEST_SMTP_HOST") ?? "127.0.0.1";

    public static int SmtpPort => int.Parse(
        Environment.GetEnvironmentVariable("GATEHOUSE_TEST_SMTP_PORT")
        ?? throw new InvalidOperationException("GATEHOUSE_TEST_SMTP_PORT is not set: run the tests with ./scripts/test.sh, which starts maildev."),
        System.Globalization.CultureInfo.InvariantCulture);

    public static Uri MailDevUrl => new(
        Environment.GetEnvironmentVariable("GATEHOUSE_TEST_MAILDEV_URL")
        ?? throw new InvalidOperationException("GATEHOUSE_TEST_MAILDEV_URL is not set: run the tests with ./scripts/test.sh, which starts maildev."));

    /// <summary>The repository root (where Gatehouse.slnx is).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gatehouse.slnx")))
            {
                dir = dir.Parent;
            }
            return dir?.FullName ?? throw new InvalidOperationException("Could not find Gatehouse.slnx above " + AppContext.BaseDirectory);
        }
    }
}
