namespace AlertBot.Core.Feeds;

/// <summary>
/// Judges a feed URL that a chat user wants to add, before it is stored. Only http and https URLs pass: local paths
/// and <c>file://</c> URLs are reserved for the operator's configuration, which never goes through this check, so the
/// store holds a non-http source only if the operator put it there. Addresses that are private by their spelling
/// (a literal 10.0.0.5, localhost) are refused here too; names that merely resolve to one are refused when fetched.
/// </summary>
public interface IFeedUrlValidator
{
    /// <returns>Null when the URL may be added, else a one-line reason fit to show the user.</returns>
    string? Validate(string url);
}
