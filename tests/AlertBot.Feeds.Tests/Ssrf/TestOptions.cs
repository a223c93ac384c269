using AlertBot.Feeds.Fetching;

namespace AlertBot.Feeds.Tests.Ssrf;

internal static class TestOptions
{
    /// <summary>Default options (guard on, nothing allowed) with a test's changes applied.</summary>
    public static FetchOptions With(Action<FetchOptions>? configure)
    {
        var options = new FetchOptions();
        configure?.Invoke(options);
        return options;
    }
}
