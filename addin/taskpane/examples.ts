/** One worked example per custom function, shown beside the help Excel takes from the JSDoc. */
export const FUNCTION_EXAMPLES: Readonly<Record<string, string>> = {
  'TOOLKIT.BAND': '=TOOLKIT.BAND(A2:AE121)',
  'TOOLKIT.GAP': '=TOOLKIT.GAP("Y4.1", 6)',
  'TOOLKIT.SUPPORT': '=TOOLKIT.SUPPORT("Y4.1", 6)  → Targeted',
  'TOOLKIT.PROGRESS': '=TOOLKIT.PROGRESS("Y3.1", "Y4.1", 12)',
  'RB.COSTPERPLACE': '=RB.COSTPERPLACE()  → 16678 (2019-20, whole city)',
  'RB.COSTPERPLACERANGE': '=RB.COSTPERPLACERANGE(C2:C20, B2:B20)',
  'RB.PLACES': '=RB.PLACES("East", "ASD")',
  'RB.SUFFICIENCY': '=RB.SUFFICIENCY("East", "ASD")  (needs sign-in)',
  'SEND.UPNCHECK': '=SEND.UPNCHECK(B2:B31)',
  'SEND.UPNLETTER': '=SEND.UPNLETTER("820200101001")',
  'SEND.NEEDAREA': '=SEND.NEEDAREA("ASD")  → Communication and Interaction',
};
