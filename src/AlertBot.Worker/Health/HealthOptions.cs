namespace AlertBot.Worker.Health;

/// <summary><c>AlertBot:Health</c>: the small HTTP endpoint for /healthz, /readyz and /metrics.</summary>
public sealed class HealthOptions
{
    public const string Section = "AlertBot:Health";

    /// <summary>Serve the endpoint at all (only the long-running service does).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where Kestrel listens, e.g. <c>http://0.0.0.0:8080</c>; several separated by ';'.</summary>
    public string Urls { get; set; } = "http://0.0.0.0:8080";
}
